//! Random streams: one pinned generator, one independent stream per purpose and entity.
//!
//! Every random quantity in a replication comes from a stream derived from
//! `(seed, replication, purpose, entity)` with SplitMix64. An entity is keyed by a hash of its
//! *name* (e.g. the location and SKU ids of a demand entry), not by its position in the file, so
//! adding a location to a scenario leaves every other stream's draws unchanged, and changing a
//! policy never changes the demand drawn: common random numbers come for free. Processes
//! without an id (demand shocks, common factors) are named after what they hit (see
//! `demand::compile::shock_names`), never numbered by their place in the file.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

/// The simulation generator: PCG-64 MCG (128-bit multiplicative congruential, XSL-RR output).
/// Pinned by name so that results never change with a `rand` upgrade.
pub type SimRng = Pcg64Mcg;

/// What a stream is used for; part of every stream's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Customer demand of one demand entry.
    Demand = 1,
    /// Lead times of one lane.
    LeadTime = 2,
    /// Up/down state of one disruption process.
    Disruption = 3,
    /// Random demand shocks of one shock process.
    Shock = 4,
    /// Lead-time delay events of one lane.
    Delay = 5,
    /// Forecast noise of one position.
    Forecast = 6,
    /// Daily values of one common demand factor.
    Factor = 7,
    /// Delivery days of one node's online shipments for one online location.
    Delivery = 8,
    /// Shrinkage and receiving errors of one position's inventory record.
    Records = 9,
}

/// SplitMix64 finaliser: a bijective 64-bit mixer.
#[inline]
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_133E_11EB);
    z ^ (z >> 31)
}

/// FNV-1a hash of a name, used as a stable entity key.
pub fn entity_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The stream for `(seed, replication, purpose, entity)`.
pub fn stream(seed: u64, replication: u64, purpose: Purpose, entity: u64) -> SimRng {
    let a = splitmix64(seed ^ splitmix64(replication ^ splitmix64(purpose as u64 ^ splitmix64(entity))));
    let b = splitmix64(a ^ 0x5851_F42D_4C95_7F2D);
    SimRng::new((u128::from(a) << 64) | u128::from(b))
}

/// A uniform draw in [0, 1) with 53 random bits.
#[inline(always)]
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform index in `0..n` (Lemire's multiply-shift; bias below 2^-40 for any realistic n).
#[inline(always)]
pub fn index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Hints the processor to bring the cache line of `x` into the cache for a read soon; it reads
/// nothing and changes nothing (a no-op off x86-64).
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults, reads no value into the program and writes
    // nothing; SSE is part of the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_outputs_for_seed_42_are_pinned() {
        let mut r = stream(42, 0, Purpose::Demand, entity_key("store/item/0"));
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        // Pinned: if this changes, every published result changes. Never update casually.
        assert_eq!(got, PINNED);
    }
    const PINNED: [u64; 3] = [993_516_021_489_747_357, 8_178_989_533_482_802_967, 6_741_326_522_506_906_670];

    #[test]
    fn streams_differ_by_every_key_part() {
        let base = stream(1, 2, Purpose::Demand, 3).next_u64();
        assert_ne!(base, stream(9, 2, Purpose::Demand, 3).next_u64());
        assert_ne!(base, stream(1, 9, Purpose::Demand, 3).next_u64());
        assert_ne!(base, stream(1, 2, Purpose::LeadTime, 3).next_u64());
        assert_ne!(base, stream(1, 2, Purpose::Demand, 9).next_u64());
    }

    #[test]
    fn unit_and_index_stay_in_range() {
        let mut r = stream(7, 0, Purpose::Demand, 0);
        for _ in 0..10_000 {
            let u = unit_f64(&mut r);
            assert!((0.0..1.0).contains(&u));
            assert!(index(&mut r, 7) < 7);
        }
    }
}
