//! `sweep`: one run per point of a grid of scenario values (`--set PATH=V1,V2,...`, several
//! `--set` make a grid), all on common random numbers.
//!
//! Every point is loaded and validated like `run --set PATH=V` would load it, so a point
//! reproduces the individual run exactly. Points that differ from the first only in policy
//! levels — the usual sweep — reuse its compiled model and change the levels in place
//! ([`Model::set_policy`]) instead of compiling again.

use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{ExperimentError, OutputFile, Settings, horizon, inventory_kpi, inventory_label, plot_both};
use crate::kpi::Kpi;
use crate::model::Model;
use crate::policy::PolicyKind;
use crate::report::format::{fmt_kpi, fmt_num, truncate};
use crate::report::html::{Align, Cell, Page, Table};
use crate::report::plot::{FrontierSeries, curve, frontier};
use crate::report::summary::kpi_object;
use crate::report::{csv_field, csv_nums};
use crate::runner::Scope;
use crate::scenario::{Patch, Scenario, ScenarioError};
use crate::stats::Summary;

/// Largest number of grid points a sweep accepts (a typo such as a long list times a long list
/// should not start a day-long run).
pub const MAX_POINTS: usize = 10_000;

/// One axis of a sweep: a dotted scenario path and the values it takes.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Axis {
    /// Dotted path, e.g. `locations.store.policy.level`.
    pub path: String,
    /// TOML values as written, e.g. `40`, `{ days = 5 }`.
    pub values: Vec<String>,
}

impl Axis {
    /// Parses `PATH=V1,V2,...`; commas inside brackets, braces or quotes belong to a value.
    pub fn parse(text: &str) -> Result<Axis, ExperimentError> {
        let bad = |msg: String| {
            ExperimentError::input(
                format!("--set {msg}"),
                "write PATH=V1,V2,..., e.g. --set locations.store.policy.level=40,50,60",
            )
        };
        let (path, values) = text.split_once('=').ok_or_else(|| bad(format!("'{text}' is not PATH=V1,V2,...")))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(bad(format!("'{text}' has an empty path or an empty segment in '{path}'")));
        }
        let values = split_values(values).map_err(|e| bad(format!("'{text}': {e}")))?;
        Ok(Axis { path: path.to_string(), values })
    }
}

/// Splits a list of values on the commas that are not inside `[]`, `{}` or quotes.
pub fn split_values(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut stack: Vec<char> = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in s.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => stack.push(c),
            ']' | '}' => {
                let open = if c == ']' { '[' } else { '{' };
                if stack.pop() != Some(open) {
                    return Err(format!("unbalanced '{c}'"));
                }
            }
            ',' if stack.is_empty() => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    if let Some(c) = stack.last() {
        return Err(format!("'{c}' is not closed"));
    }
    out.push(cur);
    let out: Vec<String> = out.into_iter().map(|v| v.trim().to_string()).collect();
    if let Some(i) = out.iter().position(String::is_empty) {
        return Err(format!("value {} of the list is empty", i + 1));
    }
    Ok(out)
}

/// The points of a grid as value indices per axis; the last axis varies fastest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..a.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    points
}

/// The KPIs of one grid point.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SweepPoint {
    /// The value of each axis at this point, as written.
    pub values: Vec<String>,
    /// Network KPI summaries in [`Kpi::ALL`] order.
    pub network: Vec<Option<Summary>>,
    /// Each stocking location's KPI summaries, in file order.
    pub locations: Vec<(String, Vec<Option<Summary>>)>,
    /// Replications run.
    pub replications: usize,
    /// Seed used.
    pub seed: u64,
}

impl SweepPoint {
    /// The mean of a network KPI (NaN if undefined).
    fn mean(&self, k: Kpi) -> f64 {
        self.network[k as usize].as_ref().map_or(f64::NAN, |x| x.mean)
    }
}

/// Result of [`sweep`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct Sweep {
    /// Display name of the scenario.
    pub scenario: String,
    /// The scenario's `description` (of the first point).
    pub description: String,
    /// The axes of the grid.
    pub axes: Vec<Axis>,
    /// One entry per grid point, the last axis varying fastest.
    pub points: Vec<SweepPoint>,
    /// Measured days (of the first point).
    pub days: usize,
    /// Warm-up days (of the first point).
    pub warmup: usize,
    /// The inventory KPI of the frontier chart (units for one SKU, value at cost for several).
    pub inventory: Kpi,
    /// How many times a scenario was compiled (1 when only policy levels change).
    pub compiled: usize,
}

/// Runs every point of the grid spanned by `axes`. `load` turns one point's patches into a
/// validated scenario (the caller adds its own fixed patches, strategy and stress test); every
/// point is loaded before the first run, so a bad value stops the sweep before any work.
pub fn sweep(
    load: impl Fn(&[Patch]) -> Result<Scenario, ScenarioError>,
    axes: &[Axis],
    settings: &Settings,
) -> Result<Sweep, ExperimentError> {
    check_axes(axes)?;
    let grid = grid(axes);
    let scenarios = load_points(load, axes, &grid)?;

    let first = &scenarios[0];
    let name = if first.name.is_empty() { "scenario".to_string() } else { first.name.clone() };
    let description = first.description.clone();
    let (days, warmup, inventory) = (first.simulation.days, first.simulation.warmup_days, inventory_kpi(first));
    let total: usize = scenarios.iter().map(|s| settings.options(s).replications).sum();
    let progress = settings.progress(total, "sweep");
    let mut models = Models::default();
    let mut points = Vec::with_capacity(grid.len());
    for (idx, sc) in grid.iter().zip(scenarios) {
        progress.set_label(&format!("sweep · {}", label(axes, idx)));
        let opts = settings.options(&sc);
        let r = settings.run(models.model_for(&sc), &opts, &progress)?;
        let sums = r.summaries();
        let locations = r
            .scopes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match *s {
                Scope::Location(l) => Some((sc.locations[l].id.clone(), sums[i].clone())),
                _ => None,
            })
            .collect();
        points.push(SweepPoint {
            values: axes.iter().zip(idx).map(|(a, &i)| a.values[i].clone()).collect(),
            network: sums[r.network_index()].clone(),
            locations,
            replications: opts.replications,
            seed: opts.seed,
        });
    }
    progress.finish();
    let compiled = models.compiled;
    Ok(Sweep { scenario: name, description, axes: axes.to_vec(), points, days, warmup, inventory, compiled })
}

/// An input error for an empty grid, a key given twice or too many points.
fn check_axes(axes: &[Axis]) -> Result<(), ExperimentError> {
    if axes.is_empty() {
        return Err(ExperimentError::input(
            "a sweep needs at least one --set PATH=V1,V2,...",
            "e.g. echelon sweep scenarios/base-stock.toml --set locations.store.policy.level=150,160,170",
        ));
    }
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].iter().any(|b| b.path == a.path) {
            return Err(ExperimentError::input(
                format!("--set {} is given twice", a.path),
                "put all values of a key in one list: --set PATH=V1,V2,V3",
            ));
        }
    }
    let size = axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len()).filter(|&n| n <= MAX_POINTS));
    if size.is_none() {
        return Err(ExperimentError::input(
            format!("the grid has more than {MAX_POINTS} points"),
            "sweep fewer values, or fewer keys at once",
        ));
    }
    Ok(())
}

/// Every point's validated scenario, in grid order; the first bad point stops the sweep.
fn load_points(
    load: impl Fn(&[Patch]) -> Result<Scenario, ScenarioError>,
    axes: &[Axis],
    grid: &[Vec<usize>],
) -> Result<Vec<Scenario>, ExperimentError> {
    let mut scenarios = Vec::with_capacity(grid.len());
    for idx in grid {
        let patches: Vec<Patch> = axes
            .iter()
            .zip(idx)
            .map(|(a, &i)| Patch {
                path: a.path.clone(),
                value: a.values[i].clone(),
                origin: "--set".into(),
                ..Patch::default()
            })
            .collect();
        let sc = load(&patches).map_err(|e| match e {
            ScenarioError::Invalid(_) => ExperimentError::Point {
                point: patches.iter().map(|p| format!("{}={}", p.path, p.value)).collect::<Vec<_>>().join(", "),
                source: e,
            },
            other => ExperimentError::Scenario(other),
        })?;
        scenarios.push(sc);
    }
    Ok(scenarios)
}

/// The compiled model of the latest point, reused while only policy levels change.
#[derive(Default)]
struct Models {
    base: Option<(Arc<Scenario>, Model)>,
    /// How many times a scenario was compiled.
    compiled: usize,
}

impl Models {
    /// The model of `sc`: the previous one with its policies reset when only levels differ,
    /// else a new compilation.
    fn model_for(&mut self, sc: &Scenario) -> &Model {
        let reuse = self.base.as_ref().is_some_and(|(b, m)| !m.stock.has_echelon && only_levels_differ(b, sc));
        if reuse {
            let (_, m) = self.base.as_mut().expect("checked above");
            for q in 0..m.n_pos() {
                let kind = sc.positions[m.topo.pos_spec[q] as usize].policy.kind;
                m.set_policy(q, kind);
            }
        } else {
            let sc = Arc::new(sc.clone());
            self.base = Some((sc.clone(), Model::compile_arc(sc)));
            self.compiled += 1;
        }
        &self.base.as_ref().expect("compiled above").1
    }
}

/// Whether `b` equals `a` up to the rules and levels of its policies — the only change a
/// compiled model can take in place. (Echelon policies are excluded by the caller: their initial
/// stock depends on the levels below them.)
fn only_levels_differ(a: &Scenario, b: &Scenario) -> bool {
    if a.positions.len() != b.positions.len() {
        return false;
    }
    let echelon =
        |s: &Scenario| s.positions.iter().any(|p| matches!(p.policy.kind, PolicyKind::EchelonBaseStock { .. }));
    if echelon(b) {
        return false;
    }
    let mut x = a.clone();
    for (p, q) in x.positions.iter_mut().zip(&b.positions) {
        p.policy.kind = q.policy.kind;
        p.policy.specs.clone_from(&q.policy.specs);
    }
    x == *b
}

/// `path=value, ...` of a point, with the paths as in [`short_paths`].
fn label(axes: &[Axis], idx: &[usize]) -> String {
    let names = short_paths(axes);
    names
        .iter()
        .zip(axes.iter().zip(idx))
        .map(|(n, (a, &i))| format!("{n}={}", a.values[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Column names of the axes: the path without a leading `locations.` (`store.policy.level`),
/// so the location stays in the name and two axes never print alike; the full paths if two
/// would still clash.
fn short_paths(axes: &[Axis]) -> Vec<String> {
    let short: Vec<String> =
        axes.iter().map(|a| a.path.strip_prefix("locations.").unwrap_or(&a.path).to_string()).collect();
    let unique = short.iter().enumerate().all(|(i, s)| !short[..i].contains(s));
    if unique { short } else { axes.iter().map(|a| a.path.clone()).collect() }
}

/// A value as JSON: a number if it is one, else the text as written.
fn json_value(v: &str) -> Value {
    match (v.parse::<i64>(), v.parse::<f64>()) {
        (Ok(i), _) => json!(i),
        (_, Ok(x)) if x.is_finite() => json!(x),
        _ => Value::String(v.to_string()),
    }
}

/// Columns of the CSV per KPI.
const CSV_STATS: [&str; 4] = ["mean", "se", "p5", "p95"];

impl Sweep {
    /// The `sweep.json` document: the axes, then per point its values, network KPIs and every
    /// location's KPIs.
    pub fn json(&self) -> Vec<u8> {
        let axes: Vec<Value> = self
            .axes
            .iter()
            .map(|a| json!({"path": a.path, "values": a.values.iter().map(|v| json_value(v)).collect::<Vec<_>>()}))
            .collect();
        let points: Vec<Value> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut set = Map::new();
                for (a, v) in self.axes.iter().zip(&p.values) {
                    set.insert(a.path.clone(), json_value(v));
                }
                let mut locs = Map::new();
                for (id, s) in &p.locations {
                    locs.insert(id.clone(), kpi_object(s));
                }
                json!({
                    "point": i,
                    "set": set,
                    "replications": p.replications,
                    "seed": p.seed,
                    "network": kpi_object(&p.network),
                    "locations": locs,
                })
            })
            .collect();
        let doc = json!({
            "scenario": self.scenario,
            "days": self.days,
            "warmup_days": self.warmup,
            "axes": axes,
            "points": points,
        });
        let mut out = serde_json::to_vec_pretty(&doc).expect("serialising to memory cannot fail");
        out.push(b'\n');
        out
    }

    /// The `sweep.csv` text: one row per point, the axis values, then mean, se, p5 and p95 of
    /// every network KPI.
    pub fn csv(&self) -> String {
        let mut out = String::from("point");
        for a in &self.axes {
            out.push(',');
            out.push_str(&csv_field(&a.path));
        }
        out.push_str(",replications,seed");
        for k in Kpi::ALL {
            for s in CSV_STATS {
                let _ = write!(out, ",{}_{s}", k.name());
            }
        }
        out.push('\n');
        for (i, p) in self.points.iter().enumerate() {
            let _ = write!(out, "{i}");
            for v in &p.values {
                out.push(',');
                out.push_str(&csv_field(v));
            }
            let _ = write!(out, ",{},{}", p.replications, p.seed);
            for s in &p.network {
                let nums = s.as_ref().map_or([f64::NAN; 4], |s| [s.mean, s.se, s.p5, s.p95]);
                csv_nums(&mut out, nums);
            }
            out.push('\n');
        }
        out
    }

    /// The terminal table: one row per point with its values and the network means of the
    /// headline KPIs, and the point with the lowest total cost.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let p0 = &self.points[0];
        let _ = writeln!(
            s,
            "{} — sweep of {} points on common random numbers, {}",
            self.scenario,
            self.points.len(),
            horizon(p0.replications, self.days, self.warmup, p0.seed)
        );
        let names = short_paths(&self.axes);
        let widths: Vec<usize> = self
            .axes
            .iter()
            .zip(&names)
            .map(|(a, n)| {
                let w = a.values.iter().map(|v| v.chars().count()).max().unwrap_or(1);
                w.max(n.chars().count()).min(40)
            })
            .collect();
        let cols = self.columns();
        let _ = write!(s, " ");
        for (n, w) in names.iter().zip(&widths) {
            let _ = write!(s, " {:<w$}", truncate(n, *w));
        }
        for (_, label) in cols {
            let _ = write!(s, " {label:>13}");
        }
        let _ = writeln!(s, " {:>20}", "cost 95 % CI");
        for p in &self.points {
            let _ = write!(s, " ");
            for (v, w) in p.values.iter().zip(&widths) {
                let _ = write!(s, " {:<w$}", truncate(v, *w));
            }
            for (k, _) in cols {
                let _ = write!(s, " {:>13}", fmt_kpi(k, p.mean(k)));
            }
            let ci = p.network[Kpi::TotalCost as usize]
                .as_ref()
                .map_or("–".into(), |x| format!("[{}, {}]", fmt_num(x.ci95[0]), fmt_num(x.ci95[1])));
            let _ = writeln!(s, " {ci:>20}");
        }
        if let Some(b) = self.lowest_cost() {
            let _ = writeln!(
                s,
                "\n  lowest total cost: {} ({} per day)",
                label(&self.axes, &self.index_of(b)),
                fmt_num(self.points[b].mean(Kpi::TotalCost))
            );
        }
        s
    }

    /// The network KPIs of the tables, with their column labels.
    fn columns(&self) -> [(Kpi, &'static str); 4] {
        [
            (Kpi::FillRate, "fill rate"),
            (Kpi::StockoutRate, "stockout days"),
            (self.inventory, if self.inventory == Kpi::AvgOnHand { "on hand" } else { "stock value" }),
            (Kpi::TotalCost, "cost / day"),
        ]
    }

    /// The point with the lowest mean total cost (the first of equals), if any has one.
    fn lowest_cost(&self) -> Option<usize> {
        let cost = |i: usize| self.points[i].mean(Kpi::TotalCost);
        (0..self.points.len()).filter(|&i| !cost(i).is_nan()).min_by(|&a, &b| cost(a).total_cmp(&cost(b)))
    }

    /// The `report.html` page: the grid, a table of the points, the frontier chart and, for a
    /// one-axis sweep over numbers, the cost curve (SVG texts; `None`: not drawn; outer `None`
    /// for the cost curve: the sweep has none).
    pub fn html(&self, frontier_svg: Option<&[u8]>, cost_svg: Option<Option<&[u8]>>) -> Vec<u8> {
        let n = self.points.len();
        // Replications and seed are the same for every point unless the sweep changes them.
        let same = |f: fn(&SweepPoint) -> u64| self.points.windows(2).all(|w| f(&w[0]) == f(&w[1]));
        let same_reps = same(|p| p.replications as u64);
        let same_seed = same(|p| p.seed);
        let subtitle = if same_seed {
            format!("Sweep of {n} points on common random numbers")
        } else {
            format!("Sweep of {n} points")
        };
        let mut page = Page::new(&self.scenario, Some(&subtitle), &self.description);
        page.sources("sweep.json and sweep.csv");
        self.html_facts(&mut page, same_reps, same_seed);
        self.html_points(&mut page, same_reps, same_seed);
        if let Some(svg) = cost_svg {
            self.html_cost_curve(&mut page, svg);
        }
        self.html_frontier(&mut page, frontier_svg);
        page.finish()
    }

    /// The page's head: the swept keys, the horizon and the random numbers.
    fn html_facts(&self, page: &mut Page, same_reps: bool, same_seed: bool) {
        let mut facts: Vec<(&str, String)> =
            self.axes.iter().map(|a| ("Swept", format!("{}: {}", a.path, a.values.join(", ")))).collect();
        if let (Some(p0), true, true) = (self.points.first(), same_reps, same_seed) {
            facts.push(("Every point", horizon(p0.replications, self.days, self.warmup, p0.seed)));
            facts.push((
                "Random numbers",
                "common random numbers: every point sees the same demand, lead-time and disruption draws".into(),
            ));
        } else {
            facts.push(("Every point", format!("{} days; replications and seed per point in the table", self.days)));
        }
        page.facts(&facts);
    }

    /// One row per point (bold: the lowest cost), and how to read it.
    fn html_points(&self, page: &mut Page, same_reps: bool, same_seed: bool) {
        page.section("Points");
        let cols = self.columns();
        let mut head: Vec<String> = short_paths(&self.axes);
        // Replications and seed get a column when they vary, unless they are swept themselves.
        let swept = |path: &str| self.axes.iter().any(|a| a.path == path);
        let reps_col = !same_reps && !swept("simulation.replications");
        let seed_col = !same_seed && !swept("simulation.seed");
        if reps_col {
            head.push("replications".into());
        }
        if seed_col {
            head.push("seed".into());
        }
        head.extend(cols.iter().map(|(_, l)| l.to_string()));
        head.push("cost 95 % CI".into());
        let align: Vec<Align> =
            (0..head.len()).map(|i| if i < self.axes.len() { Align::Left } else { Align::Num }).collect();
        let mut t = Table::new(&head.iter().map(String::as_str).collect::<Vec<_>>(), &align);
        t.caption = Some(format!(
            "Network means over replications; cost per day{}. Bold: the lowest total cost.",
            if self.inventory == Kpi::AvgOnHand { ", on hand in units" } else { ", stock value at cost" }
        ));
        let best = self.lowest_cost();
        for (i, p) in self.points.iter().enumerate() {
            let mut row: Vec<Cell> = p.values.iter().map(|v| Cell::from(v.as_str())).collect();
            if reps_col {
                row.push(p.replications.to_string().into());
            }
            if seed_col {
                row.push(p.seed.to_string().into());
            }
            for (k, _) in cols {
                let text = fmt_kpi(k, p.mean(k));
                row.push(if k == Kpi::TotalCost && best == Some(i) {
                    Cell::with_class(text, "sig")
                } else {
                    text.into()
                });
            }
            let ci = p.network[Kpi::TotalCost as usize]
                .as_ref()
                .map_or("–".into(), |x| format!("[{}, {}]", fmt_num(x.ci95[0]), fmt_num(x.ci95[1])));
            row.push(ci.into());
            t.row(row);
        }
        page.table(&t);
        if let Some(b) = best {
            page.paragraph(
                &format!(
                    "Lowest total cost: {} ({} per day).",
                    label(&self.axes, &self.index_of(b)),
                    fmt_num(self.points[b].mean(Kpi::TotalCost))
                ),
                None,
            );
        }
        let draws = if same_seed {
            "Every point ran on the same random draws, so the differences between rows come from the values \
             alone, not from luck."
        } else {
            "Points with different seeds drew different random numbers, so the differences between them include \
             luck; points with the same seed share their draws."
        };
        page.how_to_read(&format!(
            "One row per point of the grid: the scenario run with those values, everything else unchanged. \
             {draws} The numbers are means over replications; the last column is the 95 % confidence interval \
             of the mean cost per day. Where the intervals of two points overlap, the cheaper one is not \
             necessarily better: compare the two with echelon compare, whose paired differences are much \
             sharper. Full distributions and every location's KPIs are in sweep.json."
        ));
    }

    /// The cost curve of a one-axis sweep: cost against the swept value, the cheapest marked.
    fn html_cost_curve(&self, page: &mut Page, svg: Option<&[u8]>) {
        let path = &self.axes[0].path;
        page.section(&format!("Cost against {path}"));
        page.how_to_read(&format!(
            "Each point is one point of the sweep: across, the value of {path}; up, the network's total cost per \
             day (the mean over replications), with a vertical bar for its 95 % confidence interval. The ringed \
             point is the cheapest. Too little stock pays in stockouts, too much in holding, so for a stock \
             level the curve is typically U-shaped with its bottom at the best level; where it is flat near the \
             bottom, levels around it cost about the same."
        ));
        page.figure(
            svg.unwrap_or_default(),
            &format!(
                "Network total cost per day against {path}, with 95 % confidence intervals; ringed: the lowest cost."
            ),
        );
    }

    /// The frontier chart: service against stock.
    fn html_frontier(&self, page: &mut Page, frontier_svg: Option<&[u8]>) {
        page.section("Service against stock");
        page.how_to_read(&format!(
            "Each point is one point of the grid: across, the network's {}; up, the network fill rate, with a \
             vertical bar for its 95 % confidence interval. The points of a line follow the last swept key{}. \
             The points are joined in order of stock and labelled with the value of the last swept key. \
             Up and to the left is better: more service for less stock. A point that another beats on both is \
             never the right choice; along the rest, the curve shows what each further point of fill rate \
             costs in stock.",
            inventory_label(self.inventory),
            if self.axes.len() > 1 { "; each line is one combination of the other keys" } else { "" }
        ));
        page.figure(
            frontier_svg.unwrap_or_default(),
            "Network fill rate against stock at every point of the grid, with 95 % confidence intervals.",
        );
    }

    /// Value indices of point `i`.
    fn index_of(&self, i: usize) -> Vec<usize> {
        self.axes
            .iter()
            .zip(&self.points[i].values)
            .map(|(a, v)| a.values.iter().position(|x| x == v).unwrap_or(0))
            .collect()
    }

    /// The service-versus-inventory frontier: network fill rate (with its 95 % CI) against
    /// average stock, one line per combination of all axes but the last, along the last axis.
    pub fn frontier_series(&self) -> Vec<FrontierSeries> {
        let last = self.axes.len() - 1;
        let mut series: Vec<(Vec<String>, FrontierSeries)> = Vec::new();
        for p in &self.points {
            let key: Vec<String> = p.values[..last].to_vec();
            let pos = match series.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    let label = if last == 0 {
                        let a = &self.axes[last];
                        format!("{} = {} … {}", a.path, a.values[0], a.values[a.values.len() - 1])
                    } else {
                        short_paths(&self.axes)[..last]
                            .iter()
                            .zip(&key)
                            .map(|(n, v)| format!("{n}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let s = FrontierSeries { label, points: vec![], ci: Some(vec![]), labels: vec![] };
                    series.push((key, s));
                    series.len() - 1
                }
            };
            let inv = p.network[self.inventory as usize].as_ref().map_or(f64::NAN, |x| x.mean);
            let (fill, ci) = p.network[Kpi::FillRate as usize]
                .as_ref()
                .map_or((f64::NAN, (f64::NAN, f64::NAN)), |x| (x.mean, (x.ci95[0], x.ci95[1])));
            let s = &mut series[pos].1;
            s.points.push((inv, fill));
            s.labels.push(p.values[last].clone());
            if let Some(c) = s.ci.as_mut() {
                c.push(ci);
            }
        }
        series.into_iter().map(|(_, s)| s).collect()
    }

    /// The cost curve of a one-axis sweep over numbers: mean total cost per day (with its 95 %
    /// CI) against the swept value, and the index of the cheapest point (e.g. the newsvendor's
    /// U curve and its minimum). `None` for grids and for values that are not numbers.
    pub fn cost_curve(&self) -> Option<(FrontierSeries, Option<usize>)> {
        let [axis] = self.axes.as_slice() else { return None };
        let xs: Vec<f64> =
            axis.values.iter().map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite())).collect::<Option<_>>()?;
        let mut series = FrontierSeries { label: String::new(), points: vec![], ci: Some(vec![]), labels: vec![] };
        for (p, &x) in self.points.iter().zip(&xs) {
            let (y, ci) = p.network[Kpi::TotalCost as usize]
                .as_ref()
                .map_or((f64::NAN, (f64::NAN, f64::NAN)), |c| (c.mean, (c.ci95[0], c.ci95[1])));
            series.points.push((x, y));
            series.ci.get_or_insert_with(Vec::new).push(ci);
        }
        Some((series, self.lowest_cost()))
    }

    /// Every output file: `sweep.json`, `sweep.csv`, `frontier.png`, `frontier.svg`, for a
    /// one-axis sweep over numbers `cost_curve.png` and `cost_curve.svg`, and `report.html`;
    /// plus warnings for charts that could not be drawn.
    pub fn files(&self) -> (Vec<OutputFile>, Vec<String>) {
        let mut files = vec![OutputFile::new("sweep.json", self.json()), OutputFile::new("sweep.csv", self.csv())];
        let mut warnings = Vec::new();
        let series = self.frontier_series();
        let title = format!("{} — fill rate against stock", self.scenario);
        let svg = plot_both(&mut files, &mut warnings, "frontier", |fmt| {
            frontier(&title, inventory_label(self.inventory), "network fill rate", &series, None, fmt)
        });
        let cost_svg = self.cost_curve().map(|(series, best)| {
            let path = &self.axes[0].path;
            let title = format!("{} — total cost per day against {}", self.scenario, short_paths(&self.axes)[0]);
            let mark = best.map(|b| {
                let p = &self.points[b];
                (b, format!("lowest cost: {} at {}", fmt_num(p.mean(Kpi::TotalCost)), p.values[0]))
            });
            plot_both(&mut files, &mut warnings, "cost_curve", |fmt| {
                curve(&title, path, "total cost per day (mean, 95 % CI)", &series, mark.clone(), fmt)
            })
        });
        files.push(OutputFile::new("report.html", self.html(svg.as_deref(), cost_svg.as_ref().map(|s| s.as_deref()))));
        (files, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_outside_brackets_and_quotes() {
        assert_eq!(split_values("40, 50,60").unwrap(), ["40", "50", "60"]);
        assert_eq!(
            split_values(r#"{ type = "poisson", mean = 3 },[1, 2],"a,b",'c,d'"#).unwrap(),
            [r#"{ type = "poisson", mean = 3 }"#, "[1, 2]", r#""a,b""#, "'c,d'"]
        );
        assert!(split_values("40,,60").is_err());
        assert!(split_values("{ a = 1").is_err());
        assert!(split_values("[1, 2}").is_err());
        assert!(split_values("\"open").is_err());
    }

    #[test]
    fn axes_parse_and_span_a_grid() {
        let a = Axis::parse("locations.store.policy.level=40,50").unwrap();
        assert_eq!(a.path, "locations.store.policy.level");
        let b = Axis::parse("simulation.seed=1,2,3").unwrap();
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], [0, 0]);
        assert_eq!(g[1], [0, 1]);
        assert_eq!(g[5], [1, 2]);
        for bad in ["noequals", "=1,2", "a..b=1", "a.b=1,,2"] {
            assert!(matches!(Axis::parse(bad), Err(ExperimentError::Input { .. })), "{bad}");
        }
    }
}
