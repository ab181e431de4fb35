//! Numbers for people: every table, chart label and report page formats through these, so a
//! value reads the same wherever it appears. (Files for machines use [`super::csv_num`] and
//! serde's shortest round-trip form instead.)

use crate::kpi::Kpi;

/// Shown for an undefined value (NaN).
const UNDEFINED: &str = "–";

/// Below this share of its scale a value is floating noise and prints as 0.
///
/// The rule: quantities here are units, money and ratios, whose scale is at least one unit (one
/// dollar, a ratio of one); a person writes a value a hundred-thousandth of its scale as 0, and
/// rounding leaves far smaller residues (`-7.01e-16` for a bullwhip ratio of 1, `2.90e-6` units
/// on hand that continuous arithmetic left on a store that sold out). Where a larger scale is
/// known (the stock level of a column), pass it to [`fmt_num_in`].
pub const NOISE: f64 = 1e-5;

/// Whether `v` is floating noise relative to `scale` (see [`NOISE`]); the scale counts as at
/// least 1.
pub fn is_noise(v: f64, scale: f64) -> bool {
    v.abs() < NOISE * scale.abs().max(1.0)
}

/// About four significant digits, for tables: `1302`, `117.6`, `11.80`, `0.250`, `1.23e-3`;
/// floating noise (relative to a scale of 1, see [`NOISE`]) is `0`.
pub fn fmt_num(v: f64) -> String {
    fmt_num_in(v, 1.0)
}

/// [`fmt_num`] for a value whose quantity has scale `scale` (e.g. the largest value of its
/// column): a value below [`NOISE`] × scale is written `0`.
pub fn fmt_num_in(v: f64, scale: f64) -> String {
    if v.is_nan() {
        return UNDEFINED.into();
    }
    let a = v.abs();
    if a == 0.0 || is_noise(v, scale) {
        "0".into()
    } else if a >= 1e6 {
        format!("{:.3e}", v)
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 10.0 {
        format!("{v:.2}")
    } else if a >= 0.01 {
        format!("{v:.3}")
    } else {
        format!("{v:.2e}")
    }
}

/// `v` with noise (see [`is_noise`]) replaced by an exact 0, so that no `-0.00` appears.
fn denoise(v: f64, scale: f64) -> f64 {
    if is_noise(v, scale) { 0.0 } else { v }
}

/// A share as a percentage with two decimals: `86.15 %`.
pub fn fmt_pct(v: f64) -> String {
    if v.is_nan() { UNDEFINED.into() } else { format!("{:.2} %", 100.0 * denoise(v, 1.0)) }
}

/// A KPI value: shares as percentages ([`fmt_pct`]), everything else as [`fmt_num`].
pub fn fmt_kpi(k: Kpi, v: f64) -> String {
    if k.unit() == "share" { fmt_pct(v) } else { fmt_num(v) }
}

/// A difference of a KPI: percentage points for shares (`+1.25 pp`), signed numbers otherwise.
pub fn fmt_diff(k: Kpi, d: f64) -> String {
    if d.is_nan() {
        return UNDEFINED.into();
    }
    if k.unit() == "share" { format!("{:+.2} pp", 100.0 * denoise(d, 1.0)) } else { fmt_signed(d) }
}

/// A number with its sign, as [`fmt_num`] writes it: `+12.35`, `-1.500`, `–` for NaN.
pub fn fmt_signed(d: f64) -> String {
    let s = fmt_num(d);
    if s.starts_with('-') || d.is_nan() || s == "0" { s } else { format!("+{s}") }
}

/// A percentage without trailing zeros, for labels such as "p90" or "97.5 %": `90`, `97.5`.
pub fn fmt_share(p: f64) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A stock level: whole levels as integers, others as [`fmt_num`].
pub fn fmt_level(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e6 { format!("{v:.0}") } else { fmt_num(v) }
}

/// A scenario value as its author would write it: integers plain, otherwise up to four
/// decimals without trailing zeros (`12`, `0.18`, `3.1416`).
pub fn fmt_compact(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        // A residue such as -1e-17 rounds to "-0": a person writes 0.
        if s == "-0" { "0".into() } else { s.to_string() }
    }
}

/// `n` and a noun, plural unless `n` is 1: `1 day`, `365 days`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// The horizon of a run: "12 replications × 365 days (after 20 warm-up days), seed 1"; "1
/// replication × 1 day".
pub fn fmt_horizon(replications: usize, days: usize, warmup: usize, seed: u64) -> String {
    let warm = if warmup > 0 { format!(" (after {})", plural(warmup, "warm-up day")) } else { String::new() };
    format!("{} × {}{warm}, seed {seed}", plural(replications, "replication"), plural(days, "day"))
}

/// A trace quantity without floating noise: at most fifteen significant digits (so
/// `12.000000000000002` is `12` and `0.30000000000000004` is `0.3`), and a value below 1e-12 of
/// its row's scale (`scale`, the largest quantity of the row, at least 1) written as `0` (the
/// `1e-17` continuous arithmetic leaves behind). Fifteen digits keep every value exact to
/// 1e-14 of itself, so a re-added row still balances and a hand table still matches.
pub fn fmt_trace(v: f64, scale: f64) -> String {
    let mut s = String::new();
    push_trace(&mut s, v, scale);
    s
}

/// Appends [`fmt_trace`]'s form of `v` to `out` (no allocation per cell in long traces).
pub fn push_trace(out: &mut String, v: f64, scale: f64) {
    use std::fmt::Write as _;
    if !v.is_finite() {
        if !v.is_nan() {
            let _ = write!(out, "{v}");
        }
        return;
    }
    if v.abs() < 1e-12 * scale.abs().max(1.0) {
        out.push('0');
        return;
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (14 - mag).clamp(0, 20) as usize;
    let start = out.len();
    let _ = write!(out, "{v:.decimals$}");
    if out[start..].contains('.') {
        let keep = out.trim_end_matches('0').trim_end_matches('.').len();
        out.truncate(keep);
    }
    if &out[start..] == "-0" {
        out.replace_range(start.., "0");
    }
}

/// Wraps `text` at spaces to lines of at most `width` characters (a word longer than that stays
/// whole), continuation lines starting with `indent`; a break after " — " or " · " is preferred
/// when the first part fits, so a title splits between what it names and how it was run.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let len = |s: &str| s.chars().count();
    if len(text) <= width {
        return text.to_string();
    }
    for sep in [" — ", " · "] {
        if let Some(i) = text.rfind(sep)
            && len(&text[..i + sep.len() - 1]) <= width
            && len(indent) + len(&text[i + sep.len()..]) <= width
        {
            return format!("{}\n{indent}{}", text[..i + sep.len() - 1].trim_end(), &text[i + sep.len()..]);
        }
    }
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let lead = if out.is_empty() { "" } else { indent };
        if !line.is_empty() && len(lead) + len(&line) + 1 + len(word) > width {
            out.push_str(lead);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(if out.is_empty() { "" } else { indent });
    out.push_str(&line);
    out
}

/// Shortens a label to `n` characters (the last one an ellipsis) for table columns.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_num(1302.4), "1302");
        assert_eq!(fmt_num(f64::NAN), "–");
        assert_eq!(fmt_pct(0.8615), "86.15 %");
        assert_eq!(fmt_share(97.5), "97.5");
        assert_eq!(fmt_level(150.0), "150");
        assert_eq!(fmt_compact(0.18), "0.18");
        assert_eq!(fmt_compact(12.0), "12");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }

    #[test]
    fn floating_noise_prints_as_zero() {
        // Seen in issue 12: a bullwhip ratio of -7.01e-16 and 2.90e-6 units on hand.
        assert_eq!(fmt_num(-7.01e-16), "0");
        assert_eq!(fmt_num(2.90e-6), "0");
        assert_eq!(fmt_kpi(Kpi::Bullwhip, -7.01e-16), "0");
        assert_eq!(fmt_pct(-1e-17), "0.00 %");
        assert_eq!(fmt_diff(Kpi::FillRate, -1e-17), "+0.00 pp");
        assert_eq!(fmt_signed(-1e-17), "0");
        assert_eq!(fmt_compact(-1e-17), "0");
        // Relative to the quantity's scale: a hundred-thousandth of a level of 1e6 is noise.
        assert_eq!(fmt_num_in(50.0, 1e6), "50.00");
        assert_eq!(fmt_num_in(3.0, 1e6), "0");
        assert_eq!(fmt_num_in(3.0, 0.1), "3.000");
        // Small but real values keep their digits.
        assert_eq!(fmt_num(1.23e-3), "1.23e-3");
        assert_eq!(fmt_num(0.25), "0.250");
    }

    #[test]
    fn horizons_read_right() {
        assert_eq!(fmt_horizon(1, 1, 0, 7), "1 replication × 1 day, seed 7");
        assert_eq!(fmt_horizon(12, 365, 20, 1), "12 replications × 365 days (after 20 warm-up days), seed 1");
        assert_eq!(fmt_horizon(2, 5, 1, 1), "2 replications × 5 days (after 1 warm-up day), seed 1");
    }

    #[test]
    fn long_titles_wrap_at_80_columns() {
        let t = "Winter jackets: 2 DCs, 12 stores, 2 sizes · strategy pull — 20 replications × 181 days, seed 2026";
        let w = wrap(t, 80, "  ");
        assert_eq!(
            w,
            "Winter jackets: 2 DCs, 12 stores, 2 sizes · strategy pull —\n  20 replications × 181 days, seed 2026"
        );
        let long = "word ".repeat(40);
        for line in wrap(long.trim(), 80, "  ").lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
        assert_eq!(wrap("short", 80, "  "), "short");
    }

    #[test]
    fn trace_quantities_are_readable() {
        assert_eq!(fmt_trace(1e-17, 50.0), "0");
        assert_eq!(fmt_trace(-1e-17, 1.0), "0");
        assert_eq!(fmt_trace(12.0, 12.0), "12");
        assert_eq!(fmt_trace(12.000000000000002, 12.0), "12");
        assert_eq!(fmt_trace(0.1 + 0.2, 1.0), "0.3");
        assert_eq!(fmt_trace(2.5, 10.0), "2.5");
        assert_eq!(fmt_trace(1e11, 1e11), "100000000000");
        // Real small values and full precision stay.
        assert_eq!(fmt_trace(1e-8, 50.0), "0.00000001");
        let third = fmt_trace(4.0 / 3.0, 10.0);
        assert!(((third.parse::<f64>().unwrap()) - 4.0 / 3.0).abs() < 1e-14, "{third}");
    }
}
