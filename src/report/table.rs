//! The compact terminal table a user sees first: headline KPIs with their 90 % interval, then
//! one line per location (worst fill rate first).

use std::fmt::Write as _;

use super::format::{fmt_kpi, fmt_num, fmt_pct, truncate, wrap};
use crate::kpi::Kpi;
use crate::model::Model;
use crate::runner::RunResult;
use crate::stats::Summary;

/// Headline KPIs of the network table, with labels.
pub const HEADLINE: [(Kpi, &str); 9] = [
    (Kpi::FillRate, "fill rate"),
    (Kpi::StockoutRate, "stockout days"),
    (Kpi::AvgOnHand, "on hand (units)"),
    (Kpi::AvgBackorders, "backorders (units)"),
    (Kpi::LostSales, "lost sales / day"),
    (Kpi::TotalCost, "total cost / day"),
    (Kpi::InventoryTurnover, "turnover / year"),
    (Kpi::Gmroi, "GMROI"),
    (Kpi::Bullwhip, "bullwhip"),
];

/// Width of the terminal tables: they fit 80 columns, titles wrap.
pub const TERMINAL_WIDTH: usize = 80;

/// The network table plus a per-location table (and a per-SKU one with several SKUs).
pub fn run_table(m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>], title: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", wrap(title, TERMINAL_WIDTH, "  "));
    // One replication has no spread to show: its value, and no interval.
    let one = r.replications == 1;
    if one {
        let _ = writeln!(s, "  {:<22} {:>12}   (one replication: no spread)", "network", "value");
    } else {
        let _ = writeln!(s, "  {:<22} {:>12}   90 % of replications", "network", "mean");
    }
    let net = r.network_index();
    for (k, label) in HEADLINE {
        let Some(x) = &sums[net][k as usize] else {
            continue;
        };
        if k == Kpi::LostSales && !m.lost_sales {
            continue;
        }
        if one {
            let _ = writeln!(s, "  {:<22} {:>12}", label, fmt_kpi(k, x.mean));
        } else {
            let (mean, lo, hi) = (fmt_kpi(k, x.mean), fmt_kpi(k, x.p5), fmt_kpi(k, x.p95));
            let _ = writeln!(s, "  {label:<22} {mean:>12}   [{lo}, {hi}]");
        }
    }
    // Worst fill rate first and capped, as in report.html; the full table is in the files.
    let locs = super::html::locations_worst_first(r, sums);
    if locs.len() > 1 {
        let _ = writeln!(
            s,
            "\n  {:<22} {:>10} {:>10} {:>10} {:>12} {:>9}",
            "by location", "fill rate", "on hand", "backorders", "cost / day", "bullwhip"
        );
        let mean = |i: usize, k: Kpi| sums[i][k as usize].as_ref().map_or(f64::NAN, |x| x.mean);
        const MAX_ROWS: usize = super::html::MAX_LOCATION_ROWS;
        for &(i, l) in locs.iter().take(MAX_ROWS) {
            let _ = writeln!(
                s,
                "  {:<22} {:>10} {:>10} {:>10} {:>12} {:>9}",
                truncate(&m.scenario.locations[l].id, 22),
                fmt_pct(mean(i, Kpi::FillRate)),
                fmt_num(mean(i, Kpi::AvgOnHand)),
                fmt_num(mean(i, Kpi::AvgBackorders)),
                fmt_num(mean(i, Kpi::TotalCost)),
                fmt_num(mean(i, Kpi::Bullwhip)),
            );
        }
        if locs.len() > MAX_ROWS {
            let _ = writeln!(s, "  {}", super::html::more_rows_note(locs.len() - MAX_ROWS, "locations"));
        }
    }
    sku_lines(&mut s, m, r, sums);
    channel_lines(&mut s, m, r, sums);
    s
}

/// One line per channel when the scenario sells through more than walk-in.
fn channel_lines(s: &mut String, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) {
    let rows: Vec<(usize, usize)> = (0..r.scopes.len())
        .filter_map(|i| if let crate::runner::Scope::Channel(c) = r.scopes[i] { Some((i, c)) } else { None })
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n  {:<14} {:>9} {:>10} {:>9} {:>11} {:>8} {:>11}",
        "by channel", "fill rate", "lost / day", "cancelled", "fulfil cost", "del. days", "from stores"
    );
    let mean = |i: usize, k: Kpi| sums[i][k as usize].as_ref().map_or(f64::NAN, |x| x.mean);
    for &(i, c) in &rows {
        let _ = writeln!(
            s,
            "  {:<14} {:>9} {:>10} {:>9} {:>11} {:>8} {:>11}",
            m.channel.channels[c].as_str(),
            fmt_pct(mean(i, Kpi::FillRate)),
            fmt_num(mean(i, Kpi::LostSales)),
            fmt_pct(mean(i, Kpi::CancellationRate)),
            fmt_num(mean(i, Kpi::FulfilmentCost)),
            fmt_num(mean(i, Kpi::AvgDeliveryDays)),
            fmt_pct(mean(i, Kpi::ShipFromStoreShare)),
        );
    }
}

/// One line per SKU (each summed over its locations) when the scenario has several.
fn sku_lines(s: &mut String, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) {
    let skus: Vec<(usize, usize)> = (0..r.scopes.len())
        .filter_map(|i| if let crate::runner::Scope::Sku(k) = r.scopes[i] { Some((i, k)) } else { None })
        .collect();
    if skus.len() < 2 {
        return;
    }
    let _ = writeln!(
        s,
        "\n  {:<22} {:>10} {:>10} {:>11} {:>12}",
        "by SKU", "fill rate", "on hand", "backorders", "cost / day"
    );
    let mean = |i: usize, k: Kpi| sums[i][k as usize].as_ref().map_or(f64::NAN, |x| x.mean);
    for &(i, k) in skus.iter().take(super::html::MAX_LOCATION_ROWS) {
        let _ = writeln!(
            s,
            "  {:<22} {:>10} {:>10} {:>11} {:>12}",
            truncate(&m.scenario.skus[k].id, 22),
            fmt_pct(mean(i, Kpi::FillRate)),
            fmt_num(mean(i, Kpi::AvgOnHand)),
            fmt_num(mean(i, Kpi::AvgBackorders)),
            fmt_num(mean(i, Kpi::TotalCost)),
        );
    }
    if skus.len() > super::html::MAX_LOCATION_ROWS {
        let _ = writeln!(s, "  {}", super::html::more_rows_note(skus.len() - super::html::MAX_LOCATION_ROWS, "SKUs"));
    }
}
