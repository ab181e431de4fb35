//! Writing fits as demand.csv (the tables contract): one row per position, numbers rounded to six
//! significant digits and written in Rust's shortest round-trip form, so the text is the same on
//! every machine and reads back to exactly the values written.

use std::fmt::Write as _;

use super::Fit;
use crate::distribution::Dist;

/// The columns `echelon fit` writes (`--method bootstrap` adds `values` after `trend_per_year`).
pub const HEADER: &str = "location,sku,distribution,mean,sd,probability,weekly,monthly,trend_per_year,\
                                 fit_days,fit_sales_days,fit_censored_days,fit_dispersion,fit_flag";

/// demand.csv for the fits.
pub(crate) fn demand_csv(fits: &[Fit]) -> String {
    let weeks = fits.iter().any(|f| matches!(f.dist, Dist::Weeks { .. }));
    let mut out = String::with_capacity(64 + fits.len() * 96);
    out.push_str(&if weeks { HEADER.replace("trend_per_year,", "trend_per_year,values,") } else { HEADER.to_string() });
    out.push('\n');
    for f in fits {
        row(&mut out, f, weeks);
    }
    out
}

/// One position's row (with a `values` cell when `values`).
fn row(out: &mut String, f: &Fit, values: bool) {
    let (kind, mean, sd, probability) = params(&f.dist);
    let list = |v: &[f64]| v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(" ");
    let flags: Vec<&str> = f.flags.iter().map(|x| x.name()).collect();
    let history = match &f.dist {
        Dist::Weeks { values } => format!("{},", list(values)),
        _ if values => ",".into(),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{},{},{kind},{mean},{sd},{probability},{},{},{},{history}{},{},{},{},{}",
        cell(&f.location),
        cell(&f.sku),
        f.weekly.map_or(String::new(), |w| list(&w)),
        f.monthly.map_or(String::new(), |m| list(&m)),
        if f.trend_per_year == 0.0 { String::new() } else { num(f.trend_per_year) },
        f.days,
        f.sales_days,
        f.censored_days,
        num(f.dispersion),
        flags.join(" "),
    );
}

/// Distribution name and the mean, sd and probability cells (empty where the type has none).
fn params(d: &Dist) -> (&'static str, String, String, String) {
    match *d {
        Dist::Poisson { mean } => ("poisson", num(mean), String::new(), String::new()),
        Dist::Normal { mean, sd } | Dist::NegativeBinomial { mean, sd } | Dist::Gamma { mean, sd } => {
            (d.kind(), num(mean), num(sd), String::new())
        }
        Dist::Intermittent { mean, sd, probability } => {
            let (mean, probability) = (round6(mean), round6(probability));
            // The rounded sd must stay at or above the least the validation accepts.
            let least = mean * ((1.0 - probability) / probability).sqrt();
            let sd = if round6(sd) < least { round6(least * (1.0 + 1e-5)) } else { round6(sd) };
            ("intermittent", num(mean), num(sd), num(probability))
        }
        Dist::Constant { value } => ("constant", num(value), String::new(), String::new()),
        Dist::Weeks { .. } => ("weeks", String::new(), String::new(), String::new()),
        _ => unreachable!("fit writes only the distributions it chooses"),
    }
}

/// `x` rounded to six significant digits.
pub(crate) fn round6(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// A number as written: six significant digits, shortest form (`0.5`, `12`, `0.000123`).
pub(crate) fn num(x: f64) -> String {
    let r = round6(x);
    if r == 0.0 { "0".into() } else { format!("{r}") }
}

/// A text cell, quoted when it holds a comma, a quote, a line break or outer spaces.
fn cell(s: &str) -> String {
    let plain = !s.contains([',', '"', '\n', '\r']) && s.trim() == s && !s.starts_with('#');
    if plain { s.to_string() } else { format!("\"{}\"", s.replace('"', "\"\"")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_six_digits_and_round_trip() {
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(4.56789123), "4.56789");
        assert_eq!(num(1234567.0), "1234570");
        assert_eq!(num(0.000123456789), "0.000123457");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(4.56789123).parse::<f64>().expect("number"), round6(4.56789123));
    }

    #[test]
    fn ids_are_quoted_when_needed() {
        assert_eq!(cell("store-1"), "store-1");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
