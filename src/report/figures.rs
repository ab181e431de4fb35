//! The charts of `run`: KPI histograms across replications, fan charts of stock over the days
//! (network and chosen locations) and the bullwhip by echelon and by location.
//!
//! Everything is drawn from the run's results ([`RunResult`] values and its day-by-day records),
//! never from engine state. A chart that cannot be drawn becomes a warning, not an error: the
//! numbers in `summary.json` matter more than the pictures. SVG is always drawn (the HTML report
//! inlines it); PNG only when asked for.

use super::plot::{self, BarGroup, FanSeries, Format, PlotError, TimeAxis, Window, WindowKind};
use crate::disruption::{Delay, Disruption};
use crate::kpi::Kpi;
use crate::model::Model;
use crate::runner::{DayRecord, RunResult, Scope};
use crate::scenario::{LocationKind, Scenario};
use crate::stats::{Summary, quantile_sorted};

/// Which section of the report a chart belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureKind {
    /// Distribution of a KPI across replications.
    Histogram,
    /// Stock over time.
    Fan,
    /// Fill rate over time.
    Service,
    /// Variance amplification by echelon.
    Bullwhip,
}

/// One chart: its file stem, caption and encodings.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File name without extension, e.g. `hist_fill_rate`.
    pub stem: String,
    /// Report section.
    pub kind: FigureKind,
    /// One line saying what the chart shows.
    pub caption: String,
    /// The SVG document (`None` if it could not be drawn).
    pub svg: Option<Vec<u8>>,
    /// The PNG file (`None` if not asked for or not drawn).
    pub png: Option<Vec<u8>>,
}

impl Figure {
    /// The files of this chart to write: `(name, bytes)`, PNG first, each only if drawn and asked
    /// for.
    pub fn files(&self, png: bool, svg: bool) -> Vec<(String, &[u8])> {
        let mut v = Vec::new();
        if let (true, Some(b)) = (png, &self.png) {
            v.push((format!("{}.png", self.stem), b.as_slice()));
        }
        if let (true, Some(b)) = (svg, &self.svg) {
            v.push((format!("{}.svg", self.stem), b.as_slice()));
        }
        v
    }
}

/// What to draw.
#[derive(Clone, Debug, Default)]
pub struct FigureOptions {
    /// Draw PNG files too (SVG is always drawn, for the report).
    pub png: bool,
    /// Locations that get a fan chart (scenario indices); `None`: [`default_fan_locations`].
    pub locations: Option<Vec<usize>>,
}

/// Most location fan charts chosen by default.
pub const MAX_LOCATION_FANS: usize = 6;
/// Most customer-facing locations (the worst by fill rate) among them.
const WORST_LOCATIONS: usize = 3;
/// Up to this many stocking locations the bullwhip chart has one bar per location; beyond, one
/// bar per echelon.
const MAX_BULLWHIP_BARS: usize = 16;

/// The histograms: KPI, short label for titles, axis label with unit.
const HISTOGRAMS: [(Kpi, &str, &str); 4] = [
    (Kpi::FillRate, "fill rate", "fill rate (% of units demanded, served the same day)"),
    (Kpi::TotalCost, "total cost per day", "total cost per day (holding + stockout + ordering + pipeline)"),
    (Kpi::Gmroi, "GMROI", "GMROI (gross margin per year ÷ average inventory at cost)"),
    (Kpi::InventoryTurnover, "inventory turnover", "inventory turnover (turns per year)"),
];

/// The time axis of charts over days: calendar dates when the scenario sets a start date other
/// than the default or follows the calendar (monthly seasonality), day numbers otherwise.
pub fn time_axis(sc: &Scenario) -> TimeAxis {
    let start = sc.simulation.start_date;
    if start != (2024, 1, 1) || sc.demand.iter().any(|d| d.monthly.is_some()) {
        TimeAxis::Dates(start)
    } else {
        TimeAxis::Days
    }
}

/// Locations that may get a fan chart: every stocking location (suppliers carry no stock).
pub fn resolve_locations(sc: &Scenario, names: &[String]) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for n in names {
        let n = n.trim();
        match sc.location_index(n) {
            Some(l) if sc.locations[l].kind != LocationKind::Supplier => {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
            Some(_) => return Err(format!("'{n}' is a supplier, which holds no stock to chart")),
            None => {
                let known: Vec<&str> =
                    sc.locations.iter().filter(|l| l.kind != LocationKind::Supplier).map(|l| l.id.as_str()).collect();
                return Err(format!("unknown location '{n}'; stocking locations: {}", known.join(", ")));
            }
        }
    }
    Ok(out)
}

/// Default fan-chart locations with the reason each was chosen: the customer-facing locations
/// with the lowest mean fill rate (up to 3; ties in file order), then every warehouse in file
/// order, at most [`MAX_LOCATION_FANS`] in all.
pub fn default_fan_locations(m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) -> Vec<(usize, String)> {
    let sc = &m.scenario;
    let fill = |l: usize| {
        r.scope_index(Scope::Location(l)).and_then(|i| sums[i][Kpi::FillRate as usize].as_ref()).map(|s| s.mean)
    };
    let mut customer: Vec<(usize, f64)> = (0..sc.locations.len())
        .filter(|&l| sc.locations[l].kind != LocationKind::Supplier && sc.demand.iter().any(|d| d.location == l))
        .filter_map(|l| fill(l).map(|f| (l, f)))
        .collect();
    // Stable sort: equal fill rates keep file order.
    customer.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut out: Vec<(usize, String)> = customer
        .iter()
        .take(WORST_LOCATIONS)
        .map(|&(l, f)| {
            (l, format!("a customer-facing location with one of the lowest fill rates ({})", super::fmt_pct(f)))
        })
        .collect();
    for (l, loc) in sc.locations.iter().enumerate() {
        if out.len() >= MAX_LOCATION_FANS {
            break;
        }
        if loc.kind == LocationKind::Warehouse && !out.iter().any(|o| o.0 == l) {
            out.push((l, "a warehouse".into()));
        }
    }
    out
}

/// A file-name-safe version of an id: letters, digits, `-`, `_` and `.` kept, others `_`.
fn file_safe(id: &str) -> String {
    let s: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "location".into() } else { s }
}

/// Draws every chart of a run. Returns the charts (in report order) and warnings for those that
/// could not be drawn.
pub fn run_figures(
    m: &Model,
    r: &RunResult,
    sums: &[Vec<Option<Summary>>],
    name: &str,
    opts: &FigureOptions,
) -> (Vec<Figure>, Vec<String>) {
    let mut out = Drawn { png: opts.png, figs: Vec::new(), warnings: Vec::new() };
    let name = &chart_name(m, name);
    histograms(&mut out, r, name);
    let has_records = fans(&mut out, m, r, sums, name, opts);
    if has_records {
        service(&mut out, m, r, sums, name);
    }
    bullwhips(&mut out, m, r, sums, name);
    if !has_records {
        out.warnings.push("fan charts not drawn: the run kept no day-by-day records".into());
    }
    (out.figs, out.warnings)
}

/// The charts drawn so far, and warnings for those that could not be drawn.
struct Drawn {
    png: bool,
    figs: Vec<Figure>,
    warnings: Vec<String>,
}

impl Drawn {
    /// Draws one chart as SVG (and PNG if asked for); a failure becomes a warning.
    fn add(
        &mut self,
        stem: String,
        kind: FigureKind,
        caption: String,
        draw: &dyn Fn(Format) -> Result<Vec<u8>, PlotError>,
    ) {
        let warnings = &mut self.warnings;
        let mut get = |fmt: Format| {
            draw(fmt).map_err(|e| warnings.push(format!("{stem}.{} not drawn: {e}", fmt.extension()))).ok()
        };
        let svg = get(Format::Svg);
        let png = if self.png { get(Format::Png) } else { None };
        self.figs.push(Figure { stem, kind, caption, svg, png });
    }
}

/// Histograms of network KPIs across replications.
fn histograms(out: &mut Drawn, r: &RunResult, name: &str) {
    if r.replications < 2 {
        // One value is not a distribution: a one-bar histogram would claim a spread it lacks.
        out.warnings.push("histograms not drawn: one replication has no spread (use --replications 2 or more)".into());
        return;
    }
    let net = r.network_index();
    for (k, short, axis) in HISTOGRAMS {
        let share = k.unit() == "share";
        let values: Vec<f64> = r.series(net, k).iter().map(|&v| if share { 100.0 * v } else { v }).collect();
        let title = format!("{name} — {short}");
        let caption =
            format!("Network {short} across {} replications, with the mean and the 90 % range.", r.replications);
        out.add(format!("hist_{}", k.name()), FigureKind::Histogram, caption, &|fmt| {
            plot::histogram(&title, axis, &values, fmt)
        });
    }
}

/// Fan charts of stock over the days: the network, then the chosen locations. False when the
/// run kept no day-by-day records (nothing drawn).
fn fans(
    out: &mut Drawn,
    m: &Model,
    r: &RunResult,
    sums: &[Vec<Option<Summary>>],
    name: &str,
    opts: &FigureOptions,
) -> bool {
    let multi = m.scenario.skus.len() > 1;
    let axis = time_axis(&m.scenario);
    let recs = &r.days;
    let y_label = if multi { "units (all SKUs)" } else { "units" };
    let bo_net = "backorders (units owed to customers and to other locations)";
    if recs.is_empty() {
        return false;
    }
    let windows = windows(m);
    // Long horizons are recorded as means over whole weeks (runner::downsample): one point
    // per `step` days, drawn at the first day it covers.
    let step = recs[0].step.max(1);
    let points = m.days.div_ceil(step);
    let days: Vec<f64> = (0..points).map(|d| (d * step) as f64).collect();
    let per = if step == 1 { "per day".to_string() } else { format!("per day, averaged over {step}-day periods") };
    // In lost-sales mode unmet customer demand is gone, not owed: the chart shows it per day.
    let second = if m.lost_sales {
        fan_series(LOST, recs, points, |rec, d| rec.network.get(d).map(|x| (x[0] - x[1]).max(0.0)))
    } else {
        fan_series(bo_net, recs, points, |rec, d| rec.network.get(d).map(|x| x[3]))
    };
    let bands = [fan_series("on hand", recs, points, |rec, d| rec.network.get(d).map(|x| x[2])), second];
    let title = format!("{name} — network stock over time");
    let what = if m.lost_sales { "lost sales" } else { "backorders" };
    let caption =
        format!("Network on hand and {what} {per}: median, 25–75 % and 5–95 % of {} replications.", recs.len());
    out.add("fan_network".into(), FigureKind::Fan, caption, &|fmt| {
        plot::fan_chart_shaded(&title, y_label, &days, axis, &bands, &windows, fmt)
    });
    let chosen: Vec<(usize, String)> = match &opts.locations {
        Some(v) => v.iter().map(|&l| (l, "chosen with --plot-locations".to_string())).collect(),
        None => default_fan_locations(m, r, sums),
    };
    let mut stems = vec!["fan_network".to_string()];
    for (l, why) in chosen {
        let loc = &m.scenario.locations[l];
        let n_loc = m.topo.n_loc;
        let at = |rec: &DayRecord, d: usize, j: usize| rec.locations.get(d * n_loc + l).map(|x| x[j]);
        let bo = match loc.kind {
            LocationKind::Warehouse => "backorders (units owed to the locations it supplies)",
            _ => "backorders (units owed)",
        };
        let mut bands = vec![fan_series("on hand", recs, points, |rec, d| at(rec, d, 0))];
        let customers = m.scenario.demand.iter().any(|x| x.location == l);
        if m.lost_sales && customers {
            bands.push(fan_series(LOST, recs, points, |rec, d| lost_on(rec, n_loc, l, d)));
        }
        // Units owed downstream are backorders even in lost-sales mode.
        if !(m.lost_sales && customers) || loc.kind == LocationKind::Warehouse {
            bands.push(fan_series(bo, recs, points, |rec, d| at(rec, d, 1)));
        }
        let mut stem = format!("fan_{}", file_safe(&loc.id));
        let base = stem.clone();
        let mut k = 2;
        while stems.contains(&stem) {
            stem = format!("{base}_{k}");
            k += 1;
        }
        stems.push(stem.clone());
        let title = format!("{} — stock at {}", name, loc.id);
        let caption = format!("Stock at {} ({why}): median, 25–75 % and 5–95 % of replications.", loc.id);
        out.add(stem, FigureKind::Fan, caption, &|fmt| {
            plot::fan_chart_shaded(&title, y_label, &days, axis, &bands, &windows, fmt)
        });
    }
    true
}

/// Label of the lost-sales series of fan charts.
const LOST: &str = "lost sales (units per day)";

/// Units of customer demand lost at location `l` on day `d` of a record (its running totals'
/// differences; rounding noise below zero is zero).
fn lost_on(rec: &DayRecord, n_loc: usize, l: usize, d: usize) -> Option<f64> {
    let now = rec.locations.get(d * n_loc + l)?;
    let before = if d == 0 { [0.0; 4] } else { *rec.locations.get((d - 1) * n_loc + l)? };
    // The running totals are kept at the end of each point (runner::downsample): per day over it.
    Some(((now[2] - before[2]) - (now[3] - before[3])).max(0.0) / rec.step.max(1) as f64)
}

/// The name in chart titles: the scenario's, with the strategy and stress test when set.
pub fn chart_name(m: &Model, name: &str) -> String {
    let mut s = name.to_string();
    if let Some(x) = &m.scenario.strategy {
        s.push_str(&format!(" · strategy {x}"));
    }
    if let Some(x) = &m.scenario.stress {
        s.push_str(&format!(" · stress {x}"));
    }
    s
}

/// Scheduled outages and delays, and promotions (stress surges included), as windows of
/// measured days clipped to the horizon; repeated windows once.
pub fn windows(m: &Model) -> Vec<Window> {
    let sc = &m.scenario;
    let mut raw: Vec<(i64, i64, WindowKind)> = Vec::new();
    for loc in &sc.locations {
        for d in &loc.disruptions {
            if let Disruption::Scheduled { windows, .. } = d {
                raw.extend(windows.iter().map(|&(a, b)| (a, b, WindowKind::Outage)));
            }
        }
        for d in &loc.delays {
            if let Delay::Scheduled { windows, .. } = d {
                raw.extend(windows.iter().map(|&(a, b)| (a, b, WindowKind::Outage)));
            }
        }
    }
    for d in &sc.demand {
        raw.extend(d.promotions.iter().map(|p| (p.first_day, p.last_day, WindowKind::Promotion)));
    }
    let last = m.days as i64 - 1;
    let mut out: Vec<Window> = Vec::new();
    for (a, b, kind) in raw {
        let (a, b) = (a.max(0), b.min(last));
        let w = Window { first: a as f64, last: b as f64, kind };
        if a <= b && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Days per point of the service chart: a week, or whole weeks enough to keep at most
/// [`MAX_SERVICE_POINTS`] points on long horizons.
fn service_period(days: usize) -> usize {
    7 * days.div_ceil(7 * MAX_SERVICE_POINTS).max(1)
}

/// Most points of the service-over-time chart.
const MAX_SERVICE_POINTS: usize = 520;

/// Fill rate per period of one record: (demand, served) in each period from `totals(d)`,
/// the running totals at the end of day d.
fn period_fill(days: usize, period: usize, totals: impl Fn(usize) -> Option<(f64, f64)>) -> Vec<f64> {
    (0..days.div_ceil(period))
        .map(|w| {
            let end = ((w + 1) * period).min(days) - 1;
            let start = if w == 0 { Some((0.0, 0.0)) } else { totals(w * period - 1) };
            match (start, totals(end)) {
                (Some((d0, s0)), Some((d1, s1))) if d1 - d0 > 0.0 => 100.0 * (s1 - s0) / (d1 - d0),
                _ => f64::NAN,
            }
        })
        .collect()
}

/// Service over time: the network's weekly fill rate across the recorded replications (bands)
/// and the median of the worst customer-facing locations.
fn service(out: &mut Drawn, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>], name: &str) {
    let recs = &r.days;
    // Records of long horizons hold one point per `step` days (runner::downsample): periods are
    // whole numbers of points.
    let step = recs.first().map_or(1, |rec| rec.step.max(1));
    let points = m.days.div_ceil(step);
    let period_points = (service_period(m.days) / step).max(1);
    let period = period_points * step;
    let n_per = points.div_ceil(period_points);
    // Each point sits in the middle of its period.
    let xs: Vec<f64> = (0..n_per)
        .map(|w| (w * period) as f64 + ((period.min(m.days.saturating_sub(w * period))) as f64 - 1.0) / 2.0)
        .collect();
    // Running network totals of one record, for differences.
    let net: Vec<Vec<f64>> = recs
        .iter()
        .map(|rec| {
            let mut cum = (0.0, 0.0);
            let totals: Vec<(f64, f64)> = rec
                .network
                .iter()
                .map(|x| {
                    // A point holds means per day over its `step` days.
                    cum = (cum.0 + x[0] * step as f64, cum.1 + x[1] * step as f64);
                    cum
                })
                .collect();
            period_fill(points, period_points, |d| totals.get(d).copied())
        })
        .collect();
    let mut bands = vec![fan_series("network", &net, n_per, |v: &Vec<f64>, i| v.get(i).copied())];
    let n_loc = m.topo.n_loc;
    let worst = default_fan_locations(m, r, sums)
        .into_iter()
        .filter(|(l, _)| m.scenario.demand.iter().any(|x| x.location == *l))
        .take(WORST_LOCATIONS);
    for (l, _) in worst {
        let per: Vec<Vec<f64>> = recs
            .iter()
            .map(|rec| period_fill(points, period_points, |d| rec.locations.get(d * n_loc + l).map(|x| (x[2], x[3]))))
            .collect();
        // Locations as a median line only: several bands on top of each other would hide each other.
        let label = format!("{} (median)", m.scenario.locations[l].id);
        let mut s = fan_series(&label, &per, n_per, |v: &Vec<f64>, i| v.get(i).copied());
        (s.p5, s.p25, s.p75, s.p95) = (s.p50.clone(), s.p50.clone(), s.p50.clone(), s.p50.clone());
        bands.push(s);
    }
    let windows = windows(m);
    let axis = time_axis(&m.scenario);
    let unit = if period == 7 { "week".to_string() } else { format!("{period} days") };
    let title = format!("{name} — fill rate per {unit}");
    let caption = format!(
        "Fill rate per {unit} (units served the day they were demanded ÷ units demanded): the network's median, \
         25–75 % and 5–95 % of {} replications, and the median of the customer-facing locations with the lowest \
         fill rates.",
        recs.len()
    );
    out.add("service".into(), FigureKind::Service, caption, &|fmt| {
        plot::fan_chart_shaded(&title, &format!("fill rate per {unit} (%)"), &xs, axis, &bands, &windows, fmt)
    });
}

/// Bullwhip: each echelon's orders against customer demand (from the day records), then each
/// location against the demand it receives.
fn bullwhips(out: &mut Drawn, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>], name: &str) {
    let echelons = echelon_bullwhip(m, r);
    if !echelons.is_empty() {
        let title = format!("{name} — bullwhip by echelon");
        let n = r.days.len();
        let caption = format!(
            "Variance of the daily orders placed by each echelon ÷ variance of daily customer demand, from the \
             stores up (mean of {n} replications)."
        );
        out.add("bullwhip".into(), FigureKind::Bullwhip, caption, &|fmt| {
            plot::bars(
                &title,
                "variance of orders ÷ variance of customer demand",
                &echelons,
                Some((1.0, "1 = orders as variable as customer demand".into())),
                fmt,
            )
        });
    }
    let groups = bullwhip_groups(m, r, sums);
    let title = format!("{name} — bullwhip by location");
    let caption = "Variance of daily orders placed ÷ variance of daily demand received, per location (mean over \
                   replications), from the stores up to the top warehouse."
        .to_string();
    out.add("bullwhip_locations".into(), FigureKind::Bullwhip, caption, &|fmt| {
        plot::grouped_bars(
            &title,
            "variance of orders ÷ variance of demand received",
            &groups,
            Some((1.0, "1 = orders as variable as demand".into())),
            fmt,
        )
    });
}

/// Percentiles per day of one quantity across the recorded replications.
fn fan_series<R>(label: &str, recs: &[R], days: usize, value: impl Fn(&R, usize) -> Option<f64>) -> FanSeries {
    let mut s = FanSeries { label: label.into(), ..FanSeries::default() };
    let mut buf = Vec::with_capacity(recs.len());
    for d in 0..days {
        buf.clear();
        buf.extend(recs.iter().filter_map(|r| value(r, d)).filter(|v| v.is_finite()));
        buf.sort_by(f64::total_cmp);
        let q = |p: f64| if buf.is_empty() { f64::NAN } else { quantile_sorted(&buf, p) };
        s.p5.push(q(0.05));
        s.p25.push(q(0.25));
        s.p50.push(q(0.5));
        s.p75.push(q(0.75));
        s.p95.push(q(0.95));
    }
    s
}

/// The bullwhip of each echelon against customer demand: (echelon name, mean over the recorded
/// replications of var(orders of the echelon) ÷ var(customer demand)), from the stores up; empty
/// without day records.
pub fn echelon_bullwhip(m: &Model, r: &RunResult) -> Vec<(String, f64)> {
    if r.days.is_empty() {
        return Vec::new();
    }
    echelons(m)
        .into_iter()
        .map(|(height, label, members)| {
            // A one-location echelon (a serial chain) is named by its location.
            let label = match members.as_slice() {
                [l] => m.scenario.locations[*l].id.clone(),
                _ => label,
            };
            (label, mean_finite(r.days.iter().filter_map(|d| d.echelon_bullwhip.get(height - 1).copied())))
        })
        .collect()
}

/// The mean of the finite values (NaN if there are none).
fn mean_finite(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.filter(|x| x.is_finite()).fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// The echelons of the network from the stores up: (height, name, stocking locations), named by
/// what they hold and numbered when two would share a name.
fn echelons(m: &Model) -> Vec<(usize, String, Vec<usize>)> {
    let sc = &m.scenario;
    let h = crate::model::echelon_heights(sc);
    let locs: Vec<usize> = m.topo.stock_locs.iter().map(|&l| l.idx()).collect();
    let top = locs.iter().map(|&l| h[l]).max().unwrap_or(0);
    let mut levels: Vec<(usize, String, Vec<usize>)> = Vec::new();
    for level in 1..=top {
        let members: Vec<usize> = locs.iter().copied().filter(|&l| h[l] == level).collect();
        if members.is_empty() {
            continue;
        }
        let stores = members.iter().all(|&l| sc.locations[l].kind == LocationKind::Store);
        let whs = members.iter().all(|&l| sc.locations[l].kind == LocationKind::Warehouse);
        let what = if stores {
            "stores"
        } else if whs {
            "warehouses"
        } else {
            "stores and warehouses"
        };
        levels.push((level, what.to_string(), members));
    }
    let names: Vec<String> = levels.iter().map(|(_, n, _)| n.clone()).collect();
    for (i, (_, label, _)) in levels.iter_mut().enumerate() {
        if names.iter().filter(|n| **n == names[i]).count() > 1 {
            *label = format!("{label}, echelon {}", i + 1);
        }
    }
    levels
}

/// Bullwhip bars grouped by echelon from the stores up: one bar per location when there are few,
/// else one per echelon (the mean of its locations' means).
pub fn bullwhip_groups(m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) -> Vec<BarGroup> {
    let sc = &m.scenario;
    let mean = |l: usize| {
        r.scope_index(Scope::Location(l))
            .and_then(|i| sums[i][Kpi::Bullwhip as usize].as_ref())
            .map_or(f64::NAN, |s| s.mean)
    };
    let levels = echelons(m);
    let n_locs: usize = levels.iter().map(|(_, _, v)| v.len()).sum();
    if n_locs <= MAX_BULLWHIP_BARS {
        levels
            .into_iter()
            .map(|(_, label, members)| BarGroup {
                label,
                bars: members.iter().map(|&l| (sc.locations[l].id.clone(), mean(l))).collect(),
            })
            .collect()
    } else {
        levels
            .into_iter()
            .map(|(_, label, members)| {
                let avg = mean_finite(members.iter().map(|&l| mean(l)));
                let n = members.len();
                let cat = format!("{label} ({n} location{}, mean)", if n == 1 { "" } else { "s" });
                BarGroup { label: String::new(), bars: vec![(cat, avg)] }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{Progress, RunOptions, run};

    const CHAIN: &str = r#"
name = "Chain"
[simulation]
days = 40
replications = 8
seed = 5
[[skus]]
id = "a"
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = 3
policy = { type = "base_stock", level = 60 }
[[locations]]
id = "s 1/x"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "s_S", s = 8, S = 20 }
[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = 6 }
[[demand]]
location = "s 1/x"
distribution = { type = "poisson", mean = 4 }
[[demand]]
location = "s2"
distribution = { type = "poisson", mean = 5 }
"#;

    fn setup() -> (Model, RunResult, Vec<Vec<Option<Summary>>>) {
        let mut m = Model::compile(&Scenario::parse("t.toml", CHAIN).unwrap());
        m.record_daily = true;
        let r = run(
            &m,
            &RunOptions { replications: 8, seed: 5, threads: Some(1), keep: crate::runner::Keep::Network },
            &Progress::hidden(),
        );
        let s = r.summaries();
        (m, r, s)
    }

    #[test]
    fn echelons_from_stores_up() {
        let (m, r, s) = setup();
        assert_eq!(crate::model::echelon_heights(&m.scenario), vec![0, 2, 1, 1]);
        let g = bullwhip_groups(&m, &r, &s);
        assert_eq!(g.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), ["stores", "warehouses"]);
        assert_eq!(g[0].bars.iter().map(|b| b.0.as_str()).collect::<Vec<_>>(), ["s 1/x", "s2"]);
        assert_eq!(g[1].bars[0].0, "dc");
    }

    #[test]
    fn fan_locations_default_and_explicit() {
        let (m, r, s) = setup();
        let d = default_fan_locations(&m, &r, &s);
        // s2 (base-stock 6 against mean 5) serves worse than s 1/x; the DC comes last.
        assert_eq!(d.iter().map(|x| x.0).collect::<Vec<_>>(), vec![3, 2, 1]);
        let sc = &m.scenario;
        assert_eq!(resolve_locations(sc, &["dc".into(), "s2".into(), "dc".into()]), Ok(vec![1, 3]));
        assert!(resolve_locations(sc, &["sup".into()]).unwrap_err().contains("supplier"));
        let e = resolve_locations(sc, &["nope".into()]).unwrap_err();
        assert!(e.contains("'nope'") && e.contains("dc, s 1/x, s2"), "{e}");
    }

    #[test]
    fn every_chart_is_drawn() {
        let (m, r, s) = setup();
        let (figs, warnings) = run_figures(&m, &r, &s, "Chain", &FigureOptions { png: true, locations: None });
        assert!(warnings.is_empty(), "{warnings:?}");
        let stems: Vec<&str> = figs.iter().map(|f| f.stem.as_str()).collect();
        assert_eq!(
            stems,
            [
                "hist_fill_rate",
                "hist_total_cost",
                "hist_gmroi",
                "hist_inventory_turnover",
                "fan_network",
                "fan_s2",
                "fan_s_1_x",
                "fan_dc",
                "service",
                "bullwhip",
                "bullwhip_locations"
            ]
        );
        assert!(figs.iter().all(|f| f.svg.is_some() && f.png.is_some()));
        assert_eq!(figs[0].files(false, true).len(), 1);
    }

    #[test]
    fn no_day_records_is_a_warning() {
        let (m, mut r, s) = setup();
        r.days.clear();
        let (figs, warnings) = run_figures(&m, &r, &s, "Chain", &FigureOptions::default());
        assert!(figs.iter().all(|f| f.kind != FigureKind::Fan && f.png.is_none()));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn windows_are_clipped_and_listed_once() {
        let text = CHAIN
            .replace(
                "type = \"supplier\"",
                "type = \"supplier\"\ndisruption = { type = \"scheduled\", windows = [[0, 2], [38, 90]] }",
            )
            .replace("mean = 4 }", "mean = 4 }\npromotions = [{ first_day = 10, last_day = 12, multiplier = 2.0 }]")
            .replace("mean = 5 }", "mean = 5 }\npromotions = [{ first_day = 10, last_day = 12, multiplier = 1.5 }]");
        let m = Model::compile(&Scenario::parse("t.toml", &text).unwrap());
        let w = |first: f64, last: f64, kind| Window { first, last, kind };
        assert_eq!(
            windows(&m),
            [w(0.0, 2.0, WindowKind::Outage), w(38.0, 39.0, WindowKind::Outage), w(10.0, 12.0, WindowKind::Promotion)]
        );
    }

    #[test]
    fn fill_rate_per_period_from_running_totals() {
        // Demand 10 a day; served 10, then 5 from day 7 on; 10 days in weeks of 7 and 3.
        let totals: Vec<(f64, f64)> =
            (1..=10).map(|d| (10.0 * d as f64, 10.0 * d.min(7) as f64 + 5.0 * (d as f64 - 7.0).max(0.0))).collect();
        assert_eq!(period_fill(10, 7, |d| totals.get(d).copied()), vec![100.0, 50.0]);
        assert!(period_fill(3, 7, |_| Some((0.0, 0.0)))[0].is_nan(), "no demand: no fill rate");
        assert_eq!(service_period(364), 7);
        assert_eq!(service_period(7 * 520 + 1), 14);
        // Lost per day from a location's running totals.
        let rec = DayRecord { locations: vec![[0.0, 0.0, 4.0, 3.0], [0.0, 0.0, 9.0, 8.0]], ..DayRecord::default() };
        assert_eq!((lost_on(&rec, 1, 0, 0), lost_on(&rec, 1, 0, 1)), (Some(1.0), Some(0.0)));
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_safe("store 1/ä"), "store_1__");
        assert_eq!(file_safe("..x"), "x");
        assert_eq!(file_safe(""), "location");
    }

    #[test]
    fn dates_only_when_the_calendar_matters() {
        let sc = Scenario::parse("t.toml", CHAIN).unwrap();
        assert_eq!(time_axis(&sc), TimeAxis::Days);
        let dated = CHAIN.replace("seed = 5", "seed = 5\nstart_date = \"2026-09-01\"");
        assert_eq!(time_axis(&Scenario::parse("t.toml", &dated).unwrap()), TimeAxis::Dates((2026, 9, 1)));
    }
}
