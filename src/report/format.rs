//! Numbers for people: every table, chart label and report page formats through these, so a
//! value reads the same wherever it appears. (Files for machines use [`super::csv_num`] and
//! serde's shortest round-trip form instead.)

use crate::kpi::Kpi;

/// Shown for an undefined value (NaN).
const UNDEFINED: &str = "–";

/// About four significant digits, for tables: `1302`, `117.6`, `11.80`, `0.250`, `1.23e-3`.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return UNDEFINED.into();
    }
    let a = v.abs();
    if a == 0.0 {
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

/// A share as a percentage with two decimals: `86.15 %`.
pub fn fmt_pct(v: f64) -> String {
    if v.is_nan() { UNDEFINED.into() } else { format!("{:.2} %", 100.0 * v) }
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
    if k.unit() == "share" { format!("{:+.2} pp", 100.0 * d) } else { fmt_signed(d) }
}

/// A number with its sign, as [`fmt_num`] writes it: `+12.35`, `-1.500`, `–` for NaN.
pub fn fmt_signed(d: f64) -> String {
    let s = fmt_num(d);
    if s.starts_with('-') || d.is_nan() { s } else { format!("+{s}") }
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
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The horizon of a run: "12 replications × 365 days (after 20 warm-up days), seed 1".
pub fn fmt_horizon(replications: usize, days: usize, warmup: usize, seed: u64) -> String {
    let warm = if warmup > 0 { format!(" (after {warmup} warm-up days)") } else { String::new() };
    format!("{replications} replications × {days} days{warm}, seed {seed}")
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
    fn differences_are_signed() {
        assert_eq!(fmt_diff(Kpi::FillRate, 0.0123), "+1.23 pp");
        assert_eq!(fmt_diff(Kpi::FillRate, -0.0123), "-1.23 pp");
        assert_eq!(fmt_diff(Kpi::TotalCost, 12.3456), "+12.35");
        assert_eq!(fmt_diff(Kpi::TotalCost, -1.5), "-1.500");
        assert_eq!(fmt_diff(Kpi::TotalCost, f64::NAN), "–");
    }
}
