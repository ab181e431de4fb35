//! `echelon generate`: the tables of a synthetic retailer.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use echelon::generate::{self, Spec, Written};

use super::limits::count;
use super::{Failure, bad_input, output, say};

/// Arguments of `echelon generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// Number of stores, 1 to 100000.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=generate::MAX_STORES as u64))]
    stores: u64,
    /// Number of SKUs, 1 to 1000000.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=generate::MAX_SKUS as u64))]
    skus: u64,
    /// Days of daily sales history before the start date (0: sales.csv holds only its header).
    /// Large: 1000 stores × 1000 SKUs × 365 days is ~30 million rows (~1 GB, ~10 s).
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u64).range(0..=generate::MAX_HISTORY_DAYS as u64))]
    days: u64,
    /// Number of DCs, one per region [default: one per 25 stores, at least 1].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    dcs: Option<u64>,
    /// Seed: the same seed and sizes write the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Calendar date of the scenario's day 0 (the history ends the day before).
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2026-01-01")]
    start_date: String,
    /// `simulation.replications` of the scenario file.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    replications: u64,
    /// Output folder (created if missing; must be empty unless --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Write into a non-empty folder, replacing the six files.
    #[arg(long)]
    force: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Checks the arguments and the output folder, then writes the six files and prints what it
/// wrote (exit 2 for bad arguments or a non-empty folder without `--force`).
pub fn cmd_generate(a: GenerateArgs) -> Result<(), Failure> {
    let spec = Spec {
        stores: a.stores as usize,
        skus: a.skus as usize,
        days: a.days as usize,
        dcs: a.dcs.map(|d| d as usize),
        seed: a.seed,
        start_date: parse_date(&a.start_date)?,
        replications: a.replications as usize,
    };
    spec.check().map_err(|e| bad_input(format!("error: {}\n    help: {}", e.what, e.help)))?;
    check_out(&a.out, a.force)?;
    let started = Instant::now();
    let retailer = generate::build(&spec).expect("checked");
    let written = retailer.write(&a.out).map_err(|e| Failure {
        code: 1,
        message: format!(
            "error: writing into {}: {e}\n    help: check the space and permissions there",
            a.out.display()
        ),
    })?;
    if !a.quiet {
        say(format_args!("{}", table(&spec, &retailer, &written, started.elapsed().as_secs_f64())));
    }
    Ok(())
}

/// `YYYY-MM-DD` as `(year, month, day)`; a bad date is bad input.
fn parse_date(s: &str) -> Result<(i32, u32, u32), Failure> {
    let bad = || {
        bad_input(format!("error: --start-date '{s}' is not a date YYYY-MM-DD\n    help: e.g. --start-date 2026-01-01"))
    };
    let mut parts = s.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(bad());
    };
    match echelon::calendar::days_in_month(y, m) {
        Some(n) if (1..=n).contains(&d) && (1900..=9999).contains(&y) => Ok((y, m, d)),
        _ => Err(bad()),
    }
}

/// The output folder must be writable, and empty unless `--force`.
fn check_out(dir: &Path, force: bool) -> Result<(), Failure> {
    if !force
        && let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(bad_input(format!(
            "error: --out {} is not empty: generate does not overwrite files\n    help: give a new or empty \
             folder, or add --force to replace the generated files there",
            dir.display()
        )));
    }
    output::prepare_dir(dir, "--out")
}

/// What was written: one line per file (rows, size) and the totals.
fn table(spec: &Spec, r: &generate::Retailer, written: &[Written], seconds: f64) -> String {
    let mut t = format!(
        "generated a chain of {}, {}, {} (seed {}) in {seconds:.1} s\n",
        count(r.stores.len() as u64, "store"),
        count(r.skus.len() as u64, "SKU"),
        count(r.dcs.len() as u64, "DC"),
        spec.seed
    );
    let mut total = 0;
    for w in written {
        let unit = if w.path.extension().is_some_and(|e| e == "toml") { "line" } else { "row" };
        t.push_str(&format!("  {:<40} {:>16} {:>10}\n", w.path.display(), count(w.rows, unit), size(w.bytes)));
        total += w.bytes;
    }
    t.push_str(&format!("  {:<40} {:>16} {:>10}\n", "total", "", size(total)));
    t
}

/// Bytes in B, kB, MB or GB (powers of 1000).
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1e3 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}
