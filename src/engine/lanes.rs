//! Lanes: the same arithmetic for `L` replications at once.
//!
//! Pass 1 of the day is written once against [`Vector`]; one lane uses plain `f64`, two lanes use
//! an SSE2 register on x86-64 (part of the baseline instruction set, so every x86-64 processor
//! runs it) and a pair of `f64` elsewhere. Packed SSE2 operations are IEEE operations per lane,
//! so a replication gives the same bits whichever lane it runs in.

use std::ops::{Add, Mul, Sub};

/// Values of `L` lanes, with the operations the day loop needs.
pub trait Vector<const L: usize>: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    /// Loads the lanes of an array.
    fn load(a: [f64; L]) -> Self;
    /// Stores the lanes into an array.
    fn store(self) -> [f64; L];
    /// The same value in every lane.
    fn splat(x: f64) -> Self;
    /// Per lane: `a < b ? a : b` (no NaN occurs in the engine).
    fn lesser(self, b: Self) -> Self;
    /// Per lane: `self <= b ? x : 0`.
    fn if_le(self, b: Self, x: Self) -> Self;
    /// Per lane: `self > b ? 1 : 0`.
    fn gt_one(self, b: Self) -> Self;
}

/// Maps a lane count to its vector type.
pub struct Lanes<const L: usize>;

/// The vector type of a lane count.
pub trait HasVector<const L: usize> {
    /// The vector type.
    type V: Vector<L>;
}

impl HasVector<1> for Lanes<1> {
    type V = f64;
}

impl HasVector<2> for Lanes<2> {
    type V = F2;
}

impl Vector<1> for f64 {
    #[inline(always)]
    fn load(a: [f64; 1]) -> Self {
        a[0]
    }
    #[inline(always)]
    fn store(self) -> [f64; 1] {
        [self]
    }
    #[inline(always)]
    fn splat(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn lesser(self, b: Self) -> Self {
        if self < b { self } else { b }
    }
    #[inline(always)]
    fn if_le(self, b: Self, x: Self) -> Self {
        if self <= b { x } else { 0.0 }
    }
    #[inline(always)]
    fn gt_one(self, b: Self) -> Self {
        if self > b { 1.0 } else { 0.0 }
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;
    use std::ops::{Add, Mul, Sub};

    /// Runs SSE2 intrinsics. They are `unsafe` only because Rust requires a declared target
    /// feature; SSE2 is part of the x86-64 baseline, so every x86-64 processor executes them,
    /// and none of these intrinsics touches memory.
    macro_rules! sse2 {
        ($e:expr) => {
            // SAFETY: see the macro's documentation: SSE2 is always present on x86-64 and the
            // intrinsics used are pure register operations.
            unsafe { $e }
        };
    }

    /// Two lanes in one SSE2 register.
    #[derive(Clone, Copy, Debug)]
    pub struct F2(__m128d);

    impl Add for F2 {
        type Output = F2;
        #[inline(always)]
        fn add(self, b: F2) -> F2 {
            sse2!(F2(_mm_add_pd(self.0, b.0)))
        }
    }
    impl Sub for F2 {
        type Output = F2;
        #[inline(always)]
        fn sub(self, b: F2) -> F2 {
            sse2!(F2(_mm_sub_pd(self.0, b.0)))
        }
    }
    impl Mul for F2 {
        type Output = F2;
        #[inline(always)]
        fn mul(self, b: F2) -> F2 {
            sse2!(F2(_mm_mul_pd(self.0, b.0)))
        }
    }

    impl super::Vector<2> for F2 {
        #[inline(always)]
        fn load(a: [f64; 2]) -> Self {
            sse2!(F2(_mm_set_pd(a[1], a[0])))
        }
        #[inline(always)]
        fn store(self) -> [f64; 2] {
            sse2!([_mm_cvtsd_f64(self.0), _mm_cvtsd_f64(_mm_unpackhi_pd(self.0, self.0))])
        }
        #[inline(always)]
        fn splat(x: f64) -> Self {
            sse2!(F2(_mm_set1_pd(x)))
        }
        #[inline(always)]
        fn lesser(self, b: Self) -> Self {
            // minpd returns the second operand unless the first is smaller: `a < b ? a : b`.
            sse2!(F2(_mm_min_pd(self.0, b.0)))
        }
        #[inline(always)]
        fn if_le(self, b: Self, x: Self) -> Self {
            sse2!(F2(_mm_and_pd(_mm_cmple_pd(self.0, b.0), x.0)))
        }
        #[inline(always)]
        fn gt_one(self, b: Self) -> Self {
            sse2!(F2(_mm_and_pd(_mm_cmpgt_pd(self.0, b.0), _mm_set1_pd(1.0))))
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod sse2 {
    use std::ops::{Add, Mul, Sub};

    /// Two lanes as a pair of numbers (portable fallback).
    #[derive(Clone, Copy, Debug)]
    pub struct F2([f64; 2]);

    impl Add for F2 {
        type Output = F2;
        #[inline(always)]
        fn add(self, b: F2) -> F2 {
            F2([self.0[0] + b.0[0], self.0[1] + b.0[1]])
        }
    }
    impl Sub for F2 {
        type Output = F2;
        #[inline(always)]
        fn sub(self, b: F2) -> F2 {
            F2([self.0[0] - b.0[0], self.0[1] - b.0[1]])
        }
    }
    impl Mul for F2 {
        type Output = F2;
        #[inline(always)]
        fn mul(self, b: F2) -> F2 {
            F2([self.0[0] * b.0[0], self.0[1] * b.0[1]])
        }
    }

    impl super::Vector<2> for F2 {
        #[inline(always)]
        fn load(a: [f64; 2]) -> Self {
            F2(a)
        }
        #[inline(always)]
        fn store(self) -> [f64; 2] {
            self.0
        }
        #[inline(always)]
        fn splat(x: f64) -> Self {
            F2([x, x])
        }
        #[inline(always)]
        fn lesser(self, b: Self) -> Self {
            F2(std::array::from_fn(|l| super::Vector::<1>::lesser(self.0[l], b.0[l])))
        }
        #[inline(always)]
        fn if_le(self, b: Self, x: Self) -> Self {
            F2(std::array::from_fn(|l| super::Vector::<1>::if_le(self.0[l], b.0[l], x.0[l])))
        }
        #[inline(always)]
        fn gt_one(self, b: Self) -> Self {
            F2(std::array::from_fn(|l| super::Vector::<1>::gt_one(self.0[l], b.0[l])))
        }
    }
}

pub use sse2::F2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_lanes_compute_like_one() {
        let xs = [(3.0, 5.0), (5.0, 3.0), (2.5, 2.5), (-1.0, 0.0), (1e300, -1e300)];
        for &(a, b) in &xs {
            let (va, vb) = (F2::load([a, b]), F2::load([b, a]));
            let s = |f: fn(f64, f64) -> f64| [f(a, b), f(b, a)];
            assert_eq!((va + vb).store(), s(|x, y| x + y));
            assert_eq!((va - vb).store(), s(|x, y| x - y));
            assert_eq!((va * vb).store(), s(|x, y| x * y));
            assert_eq!(va.lesser(vb).store(), s(Vector::<1>::lesser));
            assert_eq!(va.if_le(vb, F2::splat(7.0)).store(), s(|x, y| Vector::<1>::if_le(x, y, 7.0)));
            assert_eq!(va.gt_one(vb).store(), s(Vector::<1>::gt_one));
        }
    }
}
