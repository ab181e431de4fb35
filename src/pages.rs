//! Large arrays on 2 MB pages.
//!
//! A million positions' tables and day state take hundreds of megabytes, read every day. On
//! 4 KB pages the processor's address cache (TLB) covers a few megabytes of them, so most of
//! the day's scattered reads (a demand table's cell, a child's pipeline slot) first walk the
//! page tables. Linux backs a range with 2 MB pages when asked (`MADV_HUGEPAGE`, honoured where
//! transparent huge pages are `always` or `madvise`, the usual settings); the values stored do
//! not change, only how fast they are reached. Elsewhere this does nothing.

/// Arrays smaller than this stay on ordinary pages (the cache serves them anyway).
const MIN_BYTES: usize = 4 << 20;

/// The size of a huge page.
const HUGE: usize = 2 << 20;

/// A vector of `n` copies of `x`, on 2 MB pages when it is large (see the module).
pub(crate) fn filled<T: Clone>(x: T, n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    advise(&v);
    v.resize(n, x);
    v
}

/// A copy of `s` on 2 MB pages when it is large (for arrays built by growing).
pub(crate) fn copied<T: Clone>(s: &[T]) -> Vec<T> {
    let mut v = Vec::with_capacity(s.len());
    advise(&v);
    v.extend_from_slice(s);
    v
}

/// Asks for 2 MB pages under the whole 2 MB blocks of `v`'s allocation; pages already touched
/// stay as they are, so call it before filling.
pub(crate) fn advise<T>(v: &Vec<T>) {
    let bytes = v.capacity().saturating_mul(std::mem::size_of::<T>());
    if bytes < MIN_BYTES {
        return;
    }
    let start = v.as_ptr() as usize;
    let (from, to) = (start.next_multiple_of(HUGE), (start + bytes) / HUGE * HUGE);
    if to > from {
        madvise_huge(from, to - from);
    }
}

#[cfg(target_os = "linux")]
fn madvise_huge(addr: usize, len: usize) {
    const MADV_HUGEPAGE: i32 = 14;
    unsafe extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    // SAFETY: the range is page-aligned and lies inside one live allocation of ours (see
    // `advise`); MADV_HUGEPAGE changes how the kernel backs it, never its contents, and a
    // refusal (huge pages off, an old kernel) only returns an error, which is ignored.
    unsafe {
        madvise(addr as *mut std::ffi::c_void, len, MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn madvise_huge(_: usize, _: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_arrays_keep_their_values() {
        let big = filled([1.5f64, 2.0], 1 << 20);
        assert_eq!(big.len(), 1 << 20);
        assert!(big.iter().all(|x| *x == [1.5, 2.0]));
        let small: Vec<u64> = (0..1000).collect();
        assert_eq!(copied(&small), small);
        let large: Vec<u64> = (0..(1u64 << 20)).collect();
        assert_eq!(copied(&large), large);
    }
}
