//! `echelon fit`: demand fitted from a sales history, written as demand.csv, with a table of the
//! fits (for many positions: counts per distribution and flag, the first rows and the positions
//! with the least history).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use echelon::fit::{self, Fit, Fitted, Method};
use echelon::report::write_atomic;
use echelon::scenario::{ScenarioError, Source};

use super::limits::count;
use super::{Failure, bad_input, output, say};

/// Positions listed row by row; more are summarised.
const ALL_ROWS: usize = 30;
/// Rows shown of each kind (first, least history) when summarising.
const SOME_ROWS: usize = 10;

/// How demand is modelled from the history.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum MethodArg {
    /// Fitted distribution, weekday and month indices, trend.
    Parametric,
    /// `weeks`: the history's whole weeks replayed at random.
    Bootstrap,
}

#[derive(Args)]
pub(crate) struct FitArgs {
    /// Sales history CSV: date, location, sku, units (optional on_hand or in_stock).
    #[arg(value_name = "SALES.csv")]
    sales: PathBuf,
    /// demand.csv to write (`-`: standard output).
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
    /// How demand is modelled.
    #[arg(long, value_enum, default_value = "parametric")]
    method: MethodArg,
    /// No table; only errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `echelon fit`.
pub(crate) fn cmd_fit(a: FitArgs) -> Result<(), Failure> {
    let to_stdout = a.out.as_os_str() == "-";
    if !to_stdout {
        output::prepare_file(&a.out, "--out")?;
    }
    let bytes = std::fs::read(&a.sales).map_err(|e| {
        bad_input(format!(
            "error: cannot read the sales history '{}': {e}\n    help: give the path of a CSV file with columns \
             date, location, sku, units",
            a.sales.display()
        ))
    })?;
    let src = Source::from_bytes(a.sales.display().to_string(), bytes)?;
    let method = match a.method {
        MethodArg::Parametric => Method::Parametric,
        MethodArg::Bootstrap => Method::Bootstrap,
    };
    let fitted = fit::fit_history(&src.text, &src.name, method).map_err(ScenarioError::Invalid)?;
    let csv = fitted.to_csv();
    if to_stdout {
        say(format_args!("{csv}"));
        return Ok(());
    }
    write_atomic(&a.out, csv.as_bytes()).with_context(|| format!("writing {}", a.out.display()))?;
    if !a.quiet {
        say(format_args!("{}wrote {}\n", table(&fitted), a.out.display()));
    }
    Ok(())
}

/// The terminal summary of the fits.
fn table(f: &Fitted) -> String {
    let mut s = format!(
        "{} fitted from {} to {} ({}); simulate from start_date = \"{}\"\n",
        count(f.fits.len() as u64, "position"),
        f.first_date,
        f.last_date,
        count(f.days as u64, "day"),
        f.next_date()
    );
    if !f.stock_known {
        s.push_str("no on_hand or in_stock column: days without sales are taken as zero demand\n");
    }
    s.push('\n');
    if f.fits.len() <= ALL_ROWS {
        s.push_str(&rows(f.fits.iter()));
        return s + "\n";
    }
    let mut by_dist: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_flag: BTreeMap<&str, usize> = BTreeMap::new();
    for x in &f.fits {
        *by_dist.entry(x.dist.kind()).or_default() += 1;
        for g in &x.flags {
            *by_flag.entry(g.name()).or_default() += 1;
        }
    }
    let list = |m: &BTreeMap<&str, usize>| m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    s.push_str(&format!("distributions: {}\n", list(&by_dist)));
    s.push_str(&format!("flags: {}\n\n", if by_flag.is_empty() { "none".into() } else { list(&by_flag) }));
    s.push_str(&format!("first {SOME_ROWS}:\n{}\n", rows(f.fits.iter().take(SOME_ROWS))));
    let mut flagged: Vec<&Fit> = f.fits.iter().filter(|x| !x.flags.is_empty()).collect();
    flagged.sort_by_key(|x| (x.days, x.sales_days));
    if !flagged.is_empty() {
        let shown = flagged.len().min(SOME_ROWS);
        s.push_str(&format!(
            "least history ({shown} of {} flagged):\n{}\n",
            flagged.len(),
            rows(flagged.into_iter().take(shown))
        ));
    }
    s
}

/// Aligned rows with a header.
fn rows<'a>(fits: impl Iterator<Item = &'a Fit>) -> String {
    let head = ["position", "days", "mean", "sd", "distribution", "weekly", "yearly", "trend/yr", "flag"];
    let mut cells: Vec<Vec<String>> = vec![head.iter().map(|h| h.to_string()).collect()];
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    for x in fits {
        let trend = if x.trend_per_year == 0.0 { "-".into() } else { format!("{:+.1}%", 100.0 * x.trend_per_year) };
        let flags: Vec<&str> = x.flags.iter().map(|g| g.name()).collect();
        cells.push(vec![
            format!("{}/{}", x.location, x.sku),
            x.days.to_string(),
            format!("{:.3}", x.dist.mean()),
            format!("{:.3}", x.dist.sd()),
            x.dist.kind().to_string(),
            yes(x.weekly.is_some()),
            yes(x.monthly.is_some()),
            trend,
            flags.join(" "),
        ]);
    }
    let widths: Vec<usize> =
        (0..head.len()).map(|c| cells.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &cells {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (v, w))| if (1..4).contains(&c) { format!("{v:>w$}") } else { format!("{v:<w$}") })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
