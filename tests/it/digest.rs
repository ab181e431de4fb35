//! A pinned digest of one small shipped run: the newsvendor with 20 replications of 200 days,
//! through the binary. Every other test compares with theory or with itself, so a change in how
//! a dependency samples (rand, rand_distr) or formats numbers would pass them all; this one
//! notices that the bytes of `summary.json` moved.

use crate::common::*;

/// FNV-1a 64 of `summary.json` for the run below. History: 0xfdbe_b563_6c42_0420, then
/// 0x1d63_5a91_7f24_4817 when the `skus` scope was added, then this when summaries became exact
/// sums (means moved by at most one unit in the last place, spreads to their exact values) and
/// the quantiles of scopes whose replications are not kept came from the sketch (within 0.1 %).
const SUMMARY_FNV1A: u64 = 0xfa7e_b22c_fe53_df3a;

/// FNV-1a, 64 bits (a few lines here instead of a dependency).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[test]
fn fnv1a64_known_values() {
    // Published test vectors of FNV-1a 64.
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn newsvendor_summary_bytes_are_pinned() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    echelon_in(repo)
        .args(["run", "scenarios/newsvendor.toml", "--replications", "20", "--days", "200"])
        .args(["--no-plots", "--quiet", "--out", o])
        .assert()
        .success();
    let bytes = std::fs::read(out.path().join("summary.json")).unwrap();
    let got = fnv1a64(&bytes);
    assert!(
        got == SUMMARY_FNV1A,
        "summary.json of `echelon run scenarios/newsvendor.toml --replications 20 --days 200` has \
         FNV-1a 64 {got:#018x}, pinned {SUMMARY_FNV1A:#018x}: the simulated numbers or their \
         formatting changed. If that is intended (a model change, or a dependency update whose new \
         sampling you accept), check the golden tests still pass, set SUMMARY_FNV1A to {got:#018x} \
         and say why in the commit message; otherwise find what changed the output (e.g. \
         `cargo update` of rand, rand_distr, rand_pcg or zmij)."
    );
}
