//! `size`: the smallest stock level per customer-facing position that meets a service target,
//! found by simulation, next to the textbook normal-approximation level.
//!
//! All customer-facing positions are searched *simultaneously*: one simulation run evaluates
//! every position at its current candidate level, and each position keeps its own bracket
//! `[lo, hi]` (lo misses the target, hi meets it) that the next run narrows — grown from the
//! textbook level until the target is met, then bisected. The number of runs therefore grows
//! with the logarithm of the range, not with the number of positions. Every run uses the same
//! seed, so a higher level gives at least the same service in every replication (common random
//! numbers; exact for a single stage with backorders): the search is monotone. Positions that
//! share a warehouse influence each other a little, so the final levels are checked in one more
//! run and any position that then misses the target is searched again.
//!
//! What is searched: the order-up-to level of base-stock; for (s, S) the reorder point s with
//! S − s kept; for (r, Q) the reorder point r with Q kept. Upstream positions keep their levels.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{
    ExperimentError, OutputFile, Settings, horizon, inventory_kpi, inventory_label, plot_both, scope_summaries,
};
use crate::kpi::Kpi;
use crate::model::{Model, NONE};
use crate::report::format::{fmt_level, fmt_num, fmt_pct, fmt_share, fmt_signed, truncate};
use crate::report::html::{Align, Cell, Page, Table};
use crate::report::plot::{FrontierSeries, frontier};
use crate::report::{csv_field, csv_nums};
use crate::runner::{self, Progress, RunResult, Scope};
use crate::scenario::PolicyKind;
use crate::stats::special::{norm_loss, norm_quantile};
use crate::stats::{Summary, quantile_sorted};

/// The service measure a target is set on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Units served from stock on the day they are demanded ÷ units demanded (β service).
    FillRate,
    /// Share of days with demand not fully served (lower is better).
    StockoutRate,
    /// Share of replenishment cycles without a stockout day (α service).
    CycleService,
}

impl Measure {
    /// Name as written in `--target`.
    pub fn name(self) -> &'static str {
        match self {
            Measure::FillRate => "fill_rate",
            Measure::StockoutRate => "stockout_rate",
            Measure::CycleService => "cycle_service",
        }
    }

    /// Whether the target is a minimum (fill rate, cycle service) rather than a maximum.
    pub fn higher_is_better(self) -> bool {
        self != Measure::StockoutRate
    }
}

/// A service target: a measure, its bound and how the bound is read across replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    /// What is measured.
    pub measure: Measure,
    /// The bound (a share in (0, 1)).
    pub value: f64,
    /// `None`: the mean across replications must meet the bound; `Some(c)`: a share `c` of
    /// replications must (the (1 − c) quantile for minimums, the c quantile for maximums).
    pub confidence: Option<f64>,
}

impl Target {
    /// Parses `fill_rate=0.97` (or `>=`), `stockout_rate<=0.05` (or `=`), `cycle_service=0.95`
    /// (or `>=`); values may be written as percentages (`97%`).
    pub fn parse(text: &str, confidence: Option<f64>) -> Result<Target, ExperimentError> {
        let help = "write fill_rate=0.97, stockout_rate<=0.05 or cycle_service=0.95";
        let t = text.trim();
        let (name, op, value) = ["<=", ">=", "="]
            .iter()
            .find_map(|op| t.split_once(op).map(|(a, b)| (a.trim(), *op, b.trim())))
            .ok_or_else(|| ExperimentError::input(format!("--target '{text}' has no '=', '>=' or '<='"), help))?;
        let measure = match name {
            "fill_rate" => Measure::FillRate,
            "stockout_rate" => Measure::StockoutRate,
            "cycle_service" => Measure::CycleService,
            other => {
                return Err(ExperimentError::input(
                    format!("--target: unknown measure '{other}'"),
                    "measures: fill_rate, stockout_rate, cycle_service",
                ));
            }
        };
        match (measure.higher_is_better(), op) {
            (true, "<=") => {
                return Err(ExperimentError::input(
                    format!("--target '{text}': {name} is a minimum"),
                    format!("write {name}>={value} or {name}={value}"),
                ));
            }
            (false, ">=") => {
                return Err(ExperimentError::input(
                    format!("--target '{text}': {name} is a maximum"),
                    format!("write {name}<={value}"),
                ));
            }
            _ => {}
        }
        let v = match value.strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
            None => value.parse::<f64>(),
        };
        let value = match v {
            Ok(x) if x > 0.0 && x < 1.0 => x,
            _ => {
                return Err(ExperimentError::input(
                    format!("--target '{text}': the bound must be a share strictly between 0 and 1, found '{value}'"),
                    help,
                ));
            }
        };
        if let Some(c) = confidence
            && !(c > 0.0 && c < 1.0)
        {
            return Err(ExperimentError::input(
                format!("--confidence must be strictly between 0 and 1, found {c}"),
                "e.g. --confidence 0.9: the target is met in 90 % of replications",
            ));
        }
        Ok(Target { measure, value, confidence })
    }

    /// `>=` or `<=`.
    pub fn operator(&self) -> &'static str {
        if self.measure.higher_is_better() { ">=" } else { "<=" }
    }

    /// The statistic across replications compared with the bound: `mean`, or `pNN`.
    pub fn statistic_name(&self) -> String {
        match self.confidence {
            None => "mean".into(),
            Some(c) => {
                let q = if self.measure.higher_is_better() { 1.0 - c } else { c };
                format!("p{}", fmt_share(100.0 * q))
            }
        }
    }

    /// The statistic of per-replication values (NaN = undefined, skipped); NaN if none is defined.
    pub fn statistic(&self, values: &[f64]) -> f64 {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return f64::NAN;
        }
        match self.confidence {
            None => v.iter().sum::<f64>() / v.len() as f64,
            Some(c) => {
                v.sort_by(f64::total_cmp);
                quantile_sorted(&v, if self.measure.higher_is_better() { 1.0 - c } else { c })
            }
        }
    }

    /// Whether a statistic meets the bound.
    pub fn meets(&self, stat: f64) -> bool {
        if self.measure.higher_is_better() { stat >= self.value } else { stat <= self.value }
    }

    /// What is measured, in words (written into `sizing.json`).
    pub fn definition(&self) -> String {
        let what = match self.measure {
            Measure::FillRate => {
                "fill rate of the position: units served from stock on the day they were demanded ÷ units demanded"
            }
            Measure::StockoutRate => "stockout rate of the position: share of days with demand not fully served",
            Measure::CycleService => {
                "cycle service of the position: 1 − (days with a stockout ÷ order cycles), where the order cycles \
                 are the days an order was placed; this is the share of replenishment cycles without a stockout \
                 when a cycle has at most one stockout day (exact for daily-review base-stock, where every stockout \
                 day ends a cycle), otherwise a lower bound"
            }
        };
        match self.confidence {
            None => format!("{what}; the mean across replications must be {} {}", self.operator(), self.value),
            Some(c) => format!(
                "{what}; its {} across replications must be {} {}, so that the target is met in {} % of \
                 replications",
                self.statistic_name(),
                self.operator(),
                self.value,
                fmt_share(100.0 * c)
            ),
        }
    }

    /// The target for people, e.g. `fill rate ≥ 97.00 %`.
    pub fn label(&self) -> String {
        let name = match self.measure {
            Measure::FillRate => "fill rate",
            Measure::StockoutRate => "stockout days",
            Measure::CycleService => "cycle service",
        };
        let op = if self.measure.higher_is_better() { "≥" } else { "≤" };
        let stat = match self.confidence {
            None => "mean over replications".to_string(),
            Some(c) => format!("in {} % of replications", fmt_share(100.0 * c)),
        };
        format!("{name} {op} {} ({stat})", fmt_pct(self.value))
    }

    /// Per-replication values of the measure for one position scope of a run.
    fn values(&self, r: &RunResult, scope: usize) -> Vec<f64> {
        match self.measure {
            Measure::FillRate => r.series(scope, Kpi::FillRate).to_vec(),
            Measure::StockoutRate => r.series(scope, Kpi::StockoutRate).to_vec(),
            Measure::CycleService => {
                // For one position both rates are per measured day, so their ratio is stockout
                // days per order day.
                let so = r.series(scope, Kpi::StockoutRate);
                let od = r.series(scope, Kpi::OrdersPerDay);
                so.iter()
                    .zip(od)
                    .map(|(&s, &o)| {
                        if s.is_nan() || o.is_nan() {
                            f64::NAN
                        } else if s == 0.0 {
                            1.0
                        } else if o == 0.0 {
                            0.0
                        } else {
                            1.0 - (s / o).min(1.0)
                        }
                    })
                    .collect()
            }
        }
    }
}

/// The level a rule's search moves, for tables: `S`, `s (S − s kept)`, ...
fn searched_what(policy: &str) -> &'static str {
    match policy {
        "s_S" => "s (S − s kept)",
        "r_Q" => "r (Q kept)",
        "echelon_base_stock" => "echelon S",
        _ => "S",
    }
}

/// Demand a position must cover between placing an order and the next order's arrival.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Protection {
    /// Mean daily demand at the position and below.
    pub mean_daily: f64,
    /// Variance of daily demand at the position and below.
    pub var_daily: f64,
    /// Mean lead time in days.
    pub lead_mean: f64,
    /// Standard deviation of the lead time in days.
    pub lead_sd: f64,
    /// Review period in days.
    pub review_days: u32,
}

impl Protection {
    /// Protection period P = lead time + review period − 1 days: with the day convention of
    /// DESIGN.md §2 an order placed on day t already serves day t + L.
    pub fn days(&self) -> f64 {
        self.lead_mean + f64::from(self.review_days) - 1.0
    }
    /// Expected demand over the protection period, μ·P.
    pub fn mean(&self) -> f64 {
        self.mean_daily * self.days()
    }
    /// Standard deviation of demand over the protection period: σ_P² = P·σ² + μ²·σ_L².
    pub fn sd(&self) -> f64 {
        (self.days().max(0.0) * self.var_daily + self.mean_daily.powi(2) * self.lead_sd.powi(2)).sqrt()
    }
}

/// The textbook (normal-approximation) level for a target: μ_P + z·σ_P, where z = Φ⁻¹(α) for a
/// cycle-service target α (a stockout-rate bound x is read as α = 1 − x), and for a fill-rate
/// target β the z solving σ_P·L(z) = (1 − β)·(demand per replenishment cycle) — the standard
/// Type-2 formula, with `cycle_demand` = μ·R for base-stock, Q for (r, Q), S − s for (s, S).
/// The target's confidence is ignored: the formula speaks about the mean.
pub fn textbook_level(target: &Target, p: &Protection, cycle_demand: f64) -> f64 {
    let (mu, sd) = (p.mean(), p.sd());
    if sd <= 0.0 {
        return mu.max(0.0);
    }
    let z = match target.measure {
        Measure::CycleService => norm_quantile(target.value),
        Measure::StockoutRate => norm_quantile(1.0 - target.value),
        Measure::FillRate => {
            let want = (1.0 - target.value) * cycle_demand.max(0.0) / sd;
            // L is decreasing: bisect on z.
            let (mut lo, mut hi) = (-8.0f64, 8.0f64);
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                if norm_loss(mid) > want { lo = mid } else { hi = mid }
            }
            0.5 * (lo + hi)
        }
    };
    (mu + z * sd).max(0.0)
}

/// The level a search moves: S of base-stock, s of (s, S), r of (r, Q).
pub fn searched_level(kind: PolicyKind) -> f64 {
    match kind {
        PolicyKind::BaseStock { level } | PolicyKind::EchelonBaseStock { level } => level,
        PolicyKind::SS { s, .. } => s,
        PolicyKind::RQ { r, .. } => r,
        PolicyKind::None => 0.0,
    }
}

/// `kind` with its searched level set to `x` (S − s and Q kept).
pub fn with_level(kind: PolicyKind, x: f64) -> PolicyKind {
    match kind {
        PolicyKind::BaseStock { .. } => PolicyKind::BaseStock { level: x },
        PolicyKind::EchelonBaseStock { .. } => PolicyKind::EchelonBaseStock { level: x },
        PolicyKind::SS { s, big_s } => PolicyKind::SS { s: x, big_s: x + (big_s - s) },
        PolicyKind::RQ { q, .. } => PolicyKind::RQ { r: x, q },
        PolicyKind::None => PolicyKind::None,
    }
}

/// Demand per replenishment cycle of a rule (for the fill-rate formula).
fn cycle_demand(kind: PolicyKind, p: &Protection) -> f64 {
    match kind {
        PolicyKind::BaseStock { .. } | PolicyKind::EchelonBaseStock { .. } => p.mean_daily * f64::from(p.review_days),
        PolicyKind::SS { s, big_s } => big_s - s,
        PolicyKind::RQ { q, .. } => q,
        PolicyKind::None => p.mean_daily,
    }
}

/// One position's search state.
struct Search {
    q: usize,
    scope: usize,
    whole: bool,
    template: PolicyKind,
    protection: Protection,
    textbook: f64,
    lo: Option<f64>,
    hi: Option<f64>,
    cur: f64,
    step0: f64,
    step: f64,
    tol: f64,
    cap: f64,
    done: bool,
    reachable: bool,
    defined: bool,
    stalls: u32,
    last_lo_stat: f64,
    history: Vec<(f64, f64)>,
}

impl Search {
    /// The level to run at: the candidate while searching, the result when done.
    fn level(&self) -> f64 {
        if self.done { self.result() } else { self.cur }
    }

    /// The level found: the lowest level meeting the target, or for an unreachable target the
    /// lowest level that came closest.
    fn result(&self) -> f64 {
        if !self.defined {
            return searched_level(self.template);
        }
        if let (true, Some(h)) = (self.reachable, self.hi) {
            return h;
        }
        // `history` holds goodness (larger is better for every measure).
        let best = self.history.iter().map(|&(_, g)| g).fold(f64::NAN, f64::max);
        self.history
            .iter()
            .filter(|&&(_, g)| (g - best).abs() <= 1e-9)
            .map(|&(x, _)| x)
            .fold(f64::INFINITY, f64::min)
            .min(self.cap)
    }

    fn round_up(&self, x: f64) -> f64 {
        if self.whole { (x - 1e-9).ceil() } else { x }
    }

    /// Takes the statistic measured at the current candidate and picks the next candidate.
    fn update(&mut self, target: &Target, stat: f64) {
        if stat.is_nan() {
            self.defined = false;
            self.done = true;
            return;
        }
        let x = self.cur;
        // Goodness: larger is better for every measure.
        let good = if target.measure.higher_is_better() { stat } else { -stat };
        self.history.push((x, good));
        if target.meets(stat) {
            self.hi = Some(x);
        } else {
            if self.lo.is_some() && self.hi.is_none() {
                // Growing without improvement means the target cannot be reached by this
                // position's own stock (e.g. its source is short).
                self.stalls = if good <= self.last_lo_stat + 1e-9 { self.stalls + 1 } else { 0 };
            }
            self.lo = Some(x);
            self.last_lo_stat = good;
        }
        match (self.lo, self.hi) {
            (Some(l), None) => {
                if self.stalls >= 3 || l >= self.cap {
                    self.reachable = false;
                    self.done = true;
                } else {
                    self.cur = self.round_up((l + self.step).min(self.cap));
                    self.step *= 2.0;
                }
            }
            (None, Some(h)) => {
                if h <= 0.0 {
                    self.done = true;
                } else {
                    let next = (h - self.step).max(0.0);
                    self.cur = if self.whole { (next + 1e-9).floor() } else { next };
                    self.step *= 2.0;
                }
            }
            (Some(l), Some(h)) => {
                let tol = if self.whole { 1.0 } else { self.tol };
                if h - l <= tol + 1e-12 {
                    self.done = true;
                } else {
                    let mid = 0.5 * (l + h);
                    self.cur = if self.whole { (mid + 1e-9).floor() } else { mid };
                }
            }
            (None, None) => unreachable!("one bound is set above"),
        }
    }
}

/// A sized position.
#[derive(Clone, Debug)]
pub struct SizedPosition {
    /// Location id.
    pub location: String,
    /// SKU id.
    pub sku: String,
    /// Rule name (`base_stock`, `s_S`, `r_Q`, `echelon_base_stock`).
    pub policy: &'static str,
    /// The searched level found (S, s or r).
    pub level: f64,
    /// The resulting order-up-to level (S, or r + Q).
    pub order_up_to: f64,
    /// Level − expected demand over the protection period.
    pub safety_stock: f64,
    /// Expected demand over the protection period, μ·P.
    pub expected_demand: f64,
    /// Protection period P in days (lead time + review − 1).
    pub protection_days: f64,
    /// The measure across replications at the final levels.
    pub achieved: Option<Summary>,
    /// The target's statistic (mean or quantile) at the final levels.
    pub achieved_statistic: f64,
    /// Whether the final level meets the target.
    pub met: bool,
    /// False when raising this position's level stopped improving its service (supply-limited).
    pub reachable: bool,
    /// The textbook level (rounded up for whole-unit SKUs).
    pub textbook_level: f64,
    /// Textbook level − expected demand over the protection period.
    pub textbook_safety_stock: f64,
    /// The measure across replications with every position at its textbook level.
    pub textbook_achieved: Option<Summary>,
    /// The target's statistic at the textbook levels.
    pub textbook_statistic: f64,
    /// Unit cost of the SKU.
    pub unit_cost: f64,
    /// Mean average on-hand at the final levels.
    pub avg_on_hand: f64,
    /// Mean average inventory value at cost at the final levels.
    pub avg_inventory_value: f64,
    /// Mean average inventory value at cost at the textbook levels.
    pub textbook_avg_inventory_value: f64,
}

/// Network service and stock at one set of levels.
#[derive(Clone, Debug)]
pub struct FrontierPoint {
    /// Label, e.g. `safety stock × 1.5` or `textbook`.
    pub label: String,
    /// Safety stocks of the sized positions as a multiple of the sized ones (NaN: textbook).
    pub scale: f64,
    /// Network fill rate.
    pub fill_rate: Option<Summary>,
    /// Network stock (units for one SKU, value at cost for several; see [`Sizing::inventory`]).
    pub inventory: Option<Summary>,
}

/// Result of [`size`].
#[derive(Clone, Debug)]
pub struct Sizing {
    /// Display name of the scenario.
    pub scenario: String,
    /// The scenario's `description`.
    pub description: String,
    /// The target.
    pub target: Target,
    /// Sized positions, in model order (SKU-major, downstream first).
    pub positions: Vec<SizedPosition>,
    /// Simulation runs of the search (including the check of the final levels).
    pub runs: usize,
    /// Replications per run.
    pub replications: usize,
    /// Seed of every run.
    pub seed: u64,
    /// Measured days.
    pub days: usize,
    /// Warm-up days.
    pub warmup: usize,
    /// The inventory KPI of [`FrontierPoint::inventory`].
    pub inventory: Kpi,
    /// Network inventory value at cost at the final levels (mean).
    pub network_inventory_value: f64,
    /// Network inventory value at cost at the textbook levels (mean).
    pub textbook_network_inventory_value: f64,
    /// Service against stock with all sized safety stocks scaled (0, 0.5, 1, 1.5, 2), then the
    /// textbook levels.
    pub frontier: Vec<FrontierPoint>,
}

/// Most search runs before giving up on convergence (each run halves every open bracket).
const MAX_RUNS: usize = 80;
/// Rounds of re-searching positions that miss the target when all final levels are run together
/// (levels only rise in these rounds, so they settle quickly).
const MAX_REPAIRS: usize = 8;
/// Safety-stock multiples of the frontier (1 is the result itself).
const SCALES: [f64; 5] = [0.0, 0.5, 1.0, 1.5, 2.0];

/// A progress bar over an estimated number of runs. The runner's bar has a fixed length, so
/// when a search needs more runs than estimated a new bar continues where the old one ends.
struct RunBar<'a> {
    settings: &'a Settings,
    replications: usize,
    bar: Progress,
    left: usize,
}

impl<'a> RunBar<'a> {
    fn new(settings: &'a Settings, replications: usize, runs: usize, label: &str) -> Self {
        let runs = runs.max(1);
        RunBar { settings, replications, bar: settings.progress(runs * replications, label), left: runs }
    }

    /// The bar for the next run, labelled.
    fn next(&mut self, label: &str) -> &Progress {
        if self.left == 0 {
            const MORE: usize = 4;
            self.bar.finish();
            self.bar = self.settings.progress(MORE * self.replications, label);
            self.left = MORE;
        }
        self.left -= 1;
        self.bar.set_label(label);
        &self.bar
    }

    fn finish(&self) {
        self.bar.finish();
    }
}

/// Sizes every customer-facing position of `model` for `target`: see the module docs. The model
/// is changed in place (its customer-facing positions end at the sized levels).
pub fn size(model: &mut Model, target: &Target, settings: &Settings) -> Result<Sizing, ExperimentError> {
    if model.customer_list.is_empty() {
        return Err(ExperimentError::input(
            "the scenario has no customer-facing positions to size",
            "add [[demand]] at a store or warehouse",
        ));
    }
    let opts = settings.options(&model.scenario);
    let scopes = runner::scopes_of(model);
    let mut searches: Vec<Search> = Vec::new();
    // Positions without a level to move (no policy, e.g. stores a warehouse pushes to) or whose
    // levels follow a forecast are not sized.
    let sizable = |q: usize| model.policy[q].kind != PolicyKind::None && model.policy[q].dynamic == NONE;
    if !model.customer_list.iter().any(|&q| sizable(q as usize)) {
        return Err(ExperimentError::input(
            "no customer-facing position has a fixed stock level to size",
            "size needs base_stock, s_S, min_max or r_Q policies without a forecast (try --strategy)",
        ));
    }
    for &q in &model.customer_list {
        let q = q as usize;
        if !sizable(q) {
            continue;
        }
        let l = model.pos_loc[q] as usize;
        let spec = &model.scenario.positions[model.pos_spec[q] as usize];
        let lt = &model.scenario.locations[l].lead_time;
        let protection = Protection {
            mean_daily: spec.mean_daily_demand,
            // Validation's moments of the demand here and below (one definition).
            var_daily: spec.sd_daily_demand.powi(2),
            lead_mean: lt.mean(),
            lead_sd: lt.sd(),
            review_days: model.policy[q].review_days,
        };
        let template = model.policy[q].kind;
        let whole = model.whole[q];
        let sd = protection.sd();
        let daily_sd = spec.sd_daily_demand;
        let scale = protection.mean().max(1.0);
        // Bisection tolerance: a hundredth of the daily demand's sd (or of the protection
        // demand when demand is deterministic); whole units stop at one unit.
        let tol = if daily_sd > 0.0 { 0.01 * daily_sd.min(sd.max(daily_sd)) } else { 1e-3 * scale };
        let step0 = if sd > 0.0 { sd } else { 0.1 * scale };
        let step0 = if whole { step0.ceil().max(1.0) } else { step0 };
        let textbook = textbook_level(target, &protection, cycle_demand(template, &protection));
        let start = if whole { (textbook - 1e-9).ceil().max(0.0) } else { textbook };
        searches.push(Search {
            q,
            scope: scopes.iter().position(|&s| s == Scope::Position(q)).unwrap_or(0),
            whole,
            template,
            protection,
            textbook: start,
            lo: None,
            hi: None,
            cur: start,
            step0,
            step: step0,
            tol,
            cap: start.max(0.0) + 100.0 * step0.max(scale),
            done: false,
            reachable: true,
            defined: true,
            stalls: 0,
            last_lo_stat: f64::NEG_INFINITY,
            history: Vec::new(),
        });
    }

    // A progress bar over an estimate of the search's runs: bracketing, bisection, the check.
    let bisect = searches
        .iter()
        .map(|s| (2.0 * s.step0 / if s.whole { 1.0 } else { s.tol }).log2().ceil().max(0.0) as usize)
        .max()
        .unwrap_or(0);
    let mut bar = RunBar::new(settings, opts.replications, 3 + bisect + 1, "size · search");
    let mut runs = 0;
    // One run with every searched position at the given level; the rest of the network as is.
    let run_at =
        |m: &mut Model, levels: &[f64], searches: &[Search], bar: &mut RunBar, runs: &mut usize, what: &str| {
            for (s, &x) in searches.iter().zip(levels) {
                m.set_policy(s.q, with_level(s.template, x));
            }
            *runs += 1;
            runner::run(m, &opts, bar.next(&format!("size · run {runs}{what}")))
        };

    let mut textbook_run: Option<RunResult> = None;
    let mut repairs = 0;
    let final_run = loop {
        let levels: Vec<f64> = searches.iter().map(Search::level).collect();
        let check = searches.iter().all(|s| s.done);
        let r = run_at(model, &levels, &searches, &mut bar, &mut runs, if check { " (check)" } else { "" });
        if textbook_run.is_none() {
            textbook_run = Some(r.clone());
        }
        let stats: Vec<f64> = searches.iter().map(|s| target.statistic(&target.values(&r, s.scope))).collect();
        for (s, &stat) in searches.iter_mut().zip(&stats) {
            if !s.done {
                s.update(target, stat);
            }
        }
        // Done when this run had every position at its final level — then it is the check run.
        let at_final = searches.iter().zip(&levels).all(|(s, &x)| s.done && s.result() == x);
        if at_final {
            let mut repaired = false;
            for (s, &stat) in searches.iter_mut().zip(&stats) {
                if s.defined && s.reachable && !target.meets(stat) && repairs < MAX_REPAIRS {
                    // Positions that share a source shift each other's service a little: search
                    // again upwards from the level that no longer suffices; the miss is small,
                    // so with a small step.
                    let step = if s.whole { 1.0 } else { (8.0 * s.tol).min(s.step0) };
                    s.lo = Some(s.result());
                    s.hi = None;
                    s.cur = s.round_up(s.lo.unwrap_or(0.0) + step);
                    s.step = 2.0 * step;
                    s.done = false;
                    s.stalls = 0;
                    repaired = true;
                }
            }
            if !repaired {
                break r;
            }
            repairs += 1;
        }
        if runs >= MAX_RUNS {
            // Give up narrowing: settle every open search at its best known level (the lowest
            // level meeting the target, else the closest) and check.
            for s in searches.iter_mut().filter(|s| !s.done) {
                s.done = true;
            }
        }
    };
    let textbook_run = textbook_run.expect("at least one run");

    // The frontier: all sized safety stocks scaled together.
    let inventory = inventory_kpi(&model.scenario);
    let net = final_run.network_index();
    let point = |r: &RunResult, label: String, scale: f64| {
        let s = scope_summaries(r, r.network_index());
        FrontierPoint {
            label,
            scale,
            fill_rate: s[Kpi::FillRate as usize].clone(),
            inventory: s[inventory as usize].clone(),
        }
    };
    let finals: Vec<f64> = searches.iter().map(Search::result).collect();
    bar.finish();
    let mut bar = RunBar::new(settings, opts.replications, SCALES.len() - 1, "size · frontier");
    let mut frontier = Vec::new();
    for f in SCALES {
        let label = format!("safety stock × {f}");
        if f == 1.0 {
            frontier.push(point(&final_run, label, f));
            continue;
        }
        let levels: Vec<f64> = searches
            .iter()
            .zip(&finals)
            .map(|(s, &x)| {
                let mu = s.protection.mean();
                s.round_up((mu + f * (x - mu)).max(0.0))
            })
            .collect();
        let r = run_at(model, &levels, &searches, &mut bar, &mut runs, " (frontier)");
        frontier.push(point(&r, label, f));
    }
    frontier.push(point(&textbook_run, "textbook levels".into(), f64::NAN));
    // Leave the model at the sized levels.
    for (s, &x) in searches.iter().zip(&finals) {
        model.set_policy(s.q, with_level(s.template, x));
    }
    bar.finish();

    let mean_of = |r: &RunResult, scope: usize, k: Kpi| Summary::of(r.series(scope, k)).map_or(f64::NAN, |s| s.mean);
    let sc = &model.scenario;
    let positions = searches
        .iter()
        .zip(&finals)
        .map(|(s, &level)| {
            let mu = s.protection.mean();
            let achieved_v = target.values(&final_run, s.scope);
            let textbook_v = target.values(&textbook_run, s.scope);
            let achieved_statistic = target.statistic(&achieved_v);
            let kind = model.policy[s.q].kind;
            SizedPosition {
                location: sc.locations[model.pos_loc[s.q] as usize].id.clone(),
                sku: sc.skus[model.pos_sku[s.q] as usize].id.clone(),
                policy: kind.name(),
                level,
                order_up_to: kind.order_up_to(),
                safety_stock: level - mu,
                expected_demand: mu,
                protection_days: s.protection.days(),
                achieved: Summary::of(&achieved_v),
                achieved_statistic,
                met: target.meets(achieved_statistic),
                reachable: s.reachable,
                textbook_level: s.textbook,
                textbook_safety_stock: s.textbook - mu,
                textbook_achieved: Summary::of(&textbook_v),
                textbook_statistic: target.statistic(&textbook_v),
                unit_cost: model.unit_cost[s.q],
                avg_on_hand: mean_of(&final_run, s.scope, Kpi::AvgOnHand),
                avg_inventory_value: mean_of(&final_run, s.scope, Kpi::AvgInventoryValue),
                textbook_avg_inventory_value: mean_of(&textbook_run, s.scope, Kpi::AvgInventoryValue),
            }
        })
        .collect();
    let name = if sc.name.is_empty() { "scenario".to_string() } else { sc.name.clone() };
    Ok(Sizing {
        scenario: name,
        description: sc.description.clone(),
        target: *target,
        positions,
        runs: runs - (SCALES.len() - 1),
        replications: opts.replications,
        seed: opts.seed,
        days: model.days,
        warmup: model.warmup,
        inventory,
        network_inventory_value: mean_of(&final_run, net, Kpi::AvgInventoryValue),
        textbook_network_inventory_value: mean_of(&textbook_run, textbook_run.network_index(), Kpi::AvgInventoryValue),
        frontier,
    })
}

impl Sizing {
    /// Σ average inventory value at cost of the sized positions at the final levels.
    pub fn inventory_investment(&self) -> f64 {
        self.positions.iter().map(|p| p.avg_inventory_value).filter(|x| !x.is_nan()).sum()
    }

    /// The same at the textbook levels.
    pub fn textbook_inventory_investment(&self) -> f64 {
        self.positions.iter().map(|p| p.textbook_avg_inventory_value).filter(|x| !x.is_nan()).sum()
    }

    /// Σ safety stock × unit cost of the sized positions.
    pub fn safety_stock_value(&self) -> f64 {
        self.positions.iter().map(|p| p.safety_stock * p.unit_cost).sum()
    }

    /// The same for the textbook levels.
    pub fn textbook_safety_stock_value(&self) -> f64 {
        self.positions.iter().map(|p| p.textbook_safety_stock * p.unit_cost).sum()
    }

    /// The `sizing.json` document.
    pub fn json(&self) -> Vec<u8> {
        let t = &self.target;
        let positions: Vec<Value> = self
            .positions
            .iter()
            .map(|p| {
                json!({
                    "location": p.location,
                    "sku": p.sku,
                    "policy": p.policy,
                    "level": p.level,
                    "order_up_to": p.order_up_to,
                    "safety_stock": p.safety_stock,
                    "expected_demand": p.expected_demand,
                    "protection_days": p.protection_days,
                    "achieved": p.achieved,
                    "achieved_statistic": p.achieved_statistic,
                    "met": p.met,
                    "reachable": p.reachable,
                    "textbook_level": p.textbook_level,
                    "textbook_safety_stock": p.textbook_safety_stock,
                    "textbook_achieved": p.textbook_achieved,
                    "textbook_statistic": p.textbook_statistic,
                    "unit_cost": p.unit_cost,
                    "avg_on_hand": p.avg_on_hand,
                    "avg_inventory_value": p.avg_inventory_value,
                })
            })
            .collect();
        let frontier: Vec<Value> = self
            .frontier
            .iter()
            .map(|f| {
                json!({
                    "label": f.label,
                    "scale": if f.scale.is_nan() { Value::Null } else { json!(f.scale) },
                    "fill_rate": f.fill_rate,
                    self.inventory.name(): f.inventory,
                })
            })
            .collect();
        let doc = json!({
            "scenario": self.scenario,
            "replications": self.replications,
            "seed": self.seed,
            "days": self.days,
            "warmup_days": self.warmup,
            "runs": self.runs,
            "target": {
                "kpi": t.measure.name(),
                "operator": t.operator(),
                "value": t.value,
                "confidence": t.confidence,
                "statistic": t.statistic_name(),
                "definition": t.definition(),
            },
            "positions": positions,
            "inventory_investment": {
                "sized_positions": self.inventory_investment(),
                "network": self.network_inventory_value,
                "safety_stock": self.safety_stock_value(),
                "textbook_sized_positions": self.textbook_inventory_investment(),
                "textbook_network": self.textbook_network_inventory_value,
                "textbook_safety_stock": self.textbook_safety_stock_value(),
            },
            "frontier": frontier,
        });
        let mut out = serde_json::to_vec_pretty(&doc).expect("serialising to memory cannot fail");
        out.push(b'\n');
        out
    }

    /// The `sizing.csv` text: one row per sized position.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "location,sku,policy,level,order_up_to,safety_stock,expected_demand,protection_days,\
             achieved_mean,achieved_se,achieved_p5,achieved_p95,achieved_statistic,met,reachable,\
             textbook_level,textbook_safety_stock,textbook_achieved_mean,textbook_statistic,\
             unit_cost,avg_on_hand,avg_inventory_value\n",
        );
        for p in &self.positions {
            let _ = write!(out, "{},{},{}", csv_field(&p.location), csv_field(&p.sku), p.policy);
            let a = p.achieved.as_ref().map_or([f64::NAN; 4], |s| [s.mean, s.se, s.p5, s.p95]);
            let nums = [p.level, p.order_up_to, p.safety_stock, p.expected_demand, p.protection_days];
            csv_nums(&mut out, nums.iter().chain(&a).chain([&p.achieved_statistic]).copied());
            let _ = write!(out, ",{},{}", p.met, p.reachable);
            let tb = p.textbook_achieved.as_ref().map_or(f64::NAN, |s| s.mean);
            csv_nums(
                &mut out,
                [
                    p.textbook_level,
                    p.textbook_safety_stock,
                    tb,
                    p.textbook_statistic,
                    p.unit_cost,
                    p.avg_on_hand,
                    p.avg_inventory_value,
                ],
            );
            out.push('\n');
        }
        out
    }

    /// The terminal table: per position the level found, its safety stock, what it achieves, and
    /// the textbook level with what *it* achieves; then the inventory investment.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} — sizing {} customer-facing position{} for {}\n  {}; {} simulation runs on common random numbers",
            self.scenario,
            self.positions.len(),
            if self.positions.len() == 1 { "" } else { "s" },
            self.target.label(),
            horizon(self.replications, self.days, self.warmup, self.seed),
            self.runs
        );
        // Every measure is a share.
        let fmt_m = fmt_pct;
        let stat = self.target.statistic_name();
        let _ = writeln!(
            s,
            "  {:<24} {:<14} {:>9} {:>9} {:>13}   {:<22} {:>9} {:>9}",
            "", "searched", "", "safety", "achieved", "", "textbook", "textbook"
        );
        let _ = writeln!(
            s,
            "  {:<24} {:<14} {:>9} {:>9} {:>13}   {:<22} {:>9} {:>9}",
            "position",
            "level",
            "level",
            "stock",
            format!("({stat})"),
            "90 % of replications",
            "level",
            "achieves",
        );
        const MAX_ROWS: usize = 40;
        for p in self.positions.iter().take(MAX_ROWS) {
            let what = searched_what(p.policy);
            let range = p.achieved.as_ref().map_or("–".into(), |a| format!("[{}, {}]", fmt_m(a.p5), fmt_m(a.p95)));
            let mark = if !p.reachable {
                "  unreachable: more stock here stops helping"
            } else if !p.met {
                "  misses the target"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  {:<24} {:<14} {:>9} {:>9} {:>13}   {:<22} {:>9} {:>9}{mark}",
                truncate(&format!("{}/{}", p.location, p.sku), 24),
                what,
                fmt_level(p.level),
                fmt_num(p.safety_stock),
                fmt_m(p.achieved_statistic),
                range,
                fmt_level(p.textbook_level),
                fmt_m(p.textbook_statistic),
            );
        }
        if self.positions.len() > MAX_ROWS {
            let _ = writeln!(s, "  ... {} more positions in sizing.csv", self.positions.len() - MAX_ROWS);
        }
        let _ = writeln!(
            s,
            "\n  inventory investment at cost (average on hand × unit cost of the sized positions): {} \
             (textbook levels: {})",
            fmt_num(self.inventory_investment()),
            fmt_num(self.textbook_inventory_investment())
        );
        let _ = writeln!(
            s,
            "  safety stock at cost: {} (textbook: {}); whole network on hand at cost: {}",
            fmt_num(self.safety_stock_value()),
            fmt_num(self.textbook_safety_stock_value()),
            fmt_num(self.network_inventory_value)
        );
        s
    }

    /// The `report.html` page: the target and the search, the level per position next to the
    /// textbook level, the inventory investment and the frontier chart (its SVG text; `None`:
    /// not drawn).
    pub fn html(&self, frontier_svg: Option<&[u8]>) -> Vec<u8> {
        let t = &self.target;
        let n = self.positions.len();
        let subtitle = format!("Safety-stock sizing for {}", t.label());
        let mut page = Page::new(&self.scenario, Some(&subtitle), &self.description);
        page.sources("sizing.json and sizing.csv");
        let confidence = match t.confidence {
            None => "none: the mean across replications must meet the target".to_string(),
            Some(c) => format!(
                "{} % of replications must meet the target (the {} across replications)",
                fmt_share(100.0 * c),
                t.statistic_name()
            ),
        };
        let searched = if n == 1 {
            "the one customer-facing position, grown from its textbook level until the target is met, then \
             bisected"
                .to_string()
        } else {
            format!(
                "all {n} customer-facing positions together, each grown from its textbook level until the target \
                 is met, then bisected"
            )
        };
        page.facts(&[
            ("Target", t.label()),
            ("Measured as", t.definition()),
            ("Confidence", confidence),
            ("Every run", horizon(self.replications, self.days, self.warmup, self.seed)),
            (
                "Search",
                format!(
                    "{} simulation runs on common random numbers: {searched}; the final levels checked in one \
                     more run; upstream positions keep their levels",
                    self.runs
                ),
            ),
        ]);
        let missed = self.positions.iter().filter(|p| !p.met).count();
        if missed > 0 {
            page.paragraph(
                &format!(
                    "{missed} of {n} positions do not meet the target at the level found: more stock there stops \
                     helping (its source runs short) or the search ran out of runs. Their rows are marked below."
                ),
                Some("warn"),
            );
        }

        page.section("Levels by position");
        let stat = t.statistic_name();
        let mut head = vec![
            "location".to_string(),
            "SKU".into(),
            "searched".into(),
            "level".into(),
            "expected demand".into(),
            "safety stock".into(),
            "achieved (mean)".into(),
            "95 % CI".into(),
        ];
        if t.confidence.is_some() {
            head.push(format!("achieved ({stat})"));
        }
        head.extend([
            "textbook level".to_string(),
            format!("textbook achieves ({stat})"),
            "level − textbook".into(),
            "".into(),
        ]);
        let align: Vec<Align> = head
            .iter()
            .enumerate()
            .map(|(i, _)| if i < 3 || i == head.len() - 1 { Align::Left } else { Align::Num })
            .collect();
        let mut table = Table::new(&head.iter().map(String::as_str).collect::<Vec<_>>(), &align);
        table.caption = Some(
            "Levels, expected demand and safety stock in units; expected demand is over the protection period \
             (lead time + review period − 1 day, see below)."
                .into(),
        );
        const MAX_ROWS: usize = 300;
        for p in self.positions.iter().take(MAX_ROWS) {
            let (mean, ci) = p.achieved.as_ref().map_or(("–".to_string(), "–".to_string()), |a| {
                (fmt_pct(a.mean), format!("[{}, {}]", fmt_pct(a.ci95[0]), fmt_pct(a.ci95[1])))
            });
            let mut row: Vec<Cell> = vec![
                p.location.clone().into(),
                p.sku.clone().into(),
                searched_what(p.policy).into(),
                fmt_level(p.level).into(),
                fmt_num(p.expected_demand).into(),
                fmt_num(p.safety_stock).into(),
                mean.into(),
                ci.into(),
            ];
            if t.confidence.is_some() {
                row.push(fmt_pct(p.achieved_statistic).into());
            }
            let status = if !p.reachable {
                Cell::with_class("unreachable: more stock here stops helping", "warn")
            } else if !p.met {
                Cell::with_class("misses the target", "warn")
            } else {
                "meets the target".into()
            };
            row.extend([
                fmt_level(p.textbook_level).into(),
                fmt_pct(p.textbook_statistic).into(),
                fmt_signed(p.level - p.textbook_level).into(),
                status,
            ]);
            table.row(row);
        }
        page.table(&table);
        if n > MAX_ROWS {
            page.paragraph(&format!("... {} more positions in sizing.csv.", n - MAX_ROWS), Some("note"));
        }
        page.how_to_read(&format!(
            "One row per customer-facing position (location and SKU). The level is the lowest value of the \
             searched parameter (S of base-stock, the reorder point s or r of (s, S) and (r, Q), whose S − s or Q \
             is kept) at which the simulation meets the target; \"achieved\" is what the position then reaches, \
             with the 95 % confidence interval of its mean over {} replications. Safety stock is the level minus \
             the expected demand over the protection period — the lead time plus the review period (one day \
             less, because an order placed on day t already serves day t + lead time): the stock held beyond \
             what is expected to sell before the next order can arrive.\n\n\
             The textbook level is the normal approximation for the same target: expected demand plus z \
             standard deviations of demand over the protection period (for a fill rate, z from the standard \
             loss-function formula; for cycle service or a stockout bound, the normal quantile), including the \
             lead-time variance term; it speaks about the mean only and ignores a confidence requirement. \
             \"Textbook achieves\" is what the simulation measures with every position at its textbook level, \
             and \"level − textbook\" is how much the simulation adds (positive: the formula under-protects) \
             or saves (negative: it over-protects).\n\n\
             Where they differ, and why: Poisson and other low-volume demand comes in whole units and is skewed \
             to the right, which the symmetric normal curve misjudges; intermittent demand (many days without a \
             sale) and lumpy demand (few, large orders) have far heavier tails, so the formula usually sets too \
             little; stochastic lead times make orders cross and the lead-time demand non-normal; (s, S) and (r, \
             Q) rules undershoot the reorder point, which the formula ignores; and a warehouse that runs short \
             lengthens the effective lead time, which no single-stage formula sees. Close agreement is expected \
             only for high-volume, near-normal demand with fixed lead times.",
            self.replications
        ));

        page.section("Inventory investment");
        let mut inv = Table::new(
            &["at cost (unit cost × units)", "sized levels", "textbook levels", "sized − textbook"],
            &[Align::Left, Align::Num, Align::Num, Align::Num],
        );
        for (what, a, b) in [
            (
                "average inventory of the sized positions",
                self.inventory_investment(),
                self.textbook_inventory_investment(),
            ),
            ("safety stock of the sized positions", self.safety_stock_value(), self.textbook_safety_stock_value()),
            (
                "average inventory of the whole network",
                self.network_inventory_value,
                self.textbook_network_inventory_value,
            ),
        ] {
            inv.row(vec![what.into(), fmt_num(a).into(), fmt_num(b).into(), fmt_signed(a - b).into()]);
        }
        page.table(&inv);
        page.how_to_read(
            "The inventory investment is the average stock on hand valued at unit cost, averaged over the \
             measured days and the replications, with every sized position at its level found (\"sized \
             levels\") or at its textbook level. Safety stock at cost is the planned buffer (safety stock × \
             unit cost) and can be negative where a level lies below the expected demand. The whole network \
             includes the warehouses, whose levels were not changed but whose stock reacts to the stores' \
             orders.",
        );

        page.section("Service against stock");
        page.how_to_read(&format!(
            "Each point is one simulation run: the connected points scale every sized safety stock together by \
             0, 0.5, 1, 1.5 and 2 (× 1 is the result above), the separate point has every position at its \
             textbook level. Across: the network's {}; up: the network fill rate, with a vertical bar \
             for its 95 % confidence interval.{} The curve flattens as it rises: each further point of fill \
             rate costs more stock than the one before. The network fill rate pools all customer-facing \
             positions, so it can meet a fill-rate target while single positions miss it, or the other way \
             round.",
            inventory_label(self.inventory),
            if t.measure == Measure::FillRate { " The dashed line is the target." } else { "" }
        ));
        page.figure(
            frontier_svg.unwrap_or_default(),
            "Network fill rate against stock with the sized safety stocks scaled, and at the textbook levels.",
        );
        page.finish()
    }

    /// Every output file: `sizing.json`, `sizing.csv`, `frontier.png`, `frontier.svg` and
    /// `report.html`; plus warnings for charts that could not be drawn.
    pub fn files(&self) -> (Vec<OutputFile>, Vec<String>) {
        let mut files = vec![OutputFile::new("sizing.json", self.json()), OutputFile::new("sizing.csv", self.csv())];
        let mut warnings = Vec::new();
        let xy = |f: &FrontierPoint| {
            let x = f.inventory.as_ref().map_or(f64::NAN, |s| s.mean);
            let (y, ci) =
                f.fill_rate.as_ref().map_or((f64::NAN, (f64::NAN, f64::NAN)), |s| (s.mean, (s.ci95[0], s.ci95[1])));
            ((x, y), ci)
        };
        let scaled: Vec<_> = self.frontier.iter().filter(|f| !f.scale.is_nan()).map(xy).collect();
        let textbook: Vec<_> = self.frontier.iter().filter(|f| f.scale.is_nan()).map(xy).collect();
        let series = vec![
            FrontierSeries {
                label: "sized safety stock × 0, 0.5, 1, 1.5, 2".into(),
                points: scaled.iter().map(|p| p.0).collect(),
                ci: Some(scaled.iter().map(|p| p.1).collect()),
            },
            FrontierSeries {
                label: "textbook levels".into(),
                points: textbook.iter().map(|p| p.0).collect(),
                ci: Some(textbook.iter().map(|p| p.1).collect()),
            },
        ];
        let target = (self.target.measure == Measure::FillRate)
            .then(|| (self.target.value, format!("target {}", fmt_pct(self.target.value))));
        let title = format!("{} — fill rate against stock", self.scenario);
        let svg = plot_both(&mut files, &mut warnings, "frontier", |fmt| {
            frontier(&title, inventory_label(self.inventory), "network fill rate", &series, target.clone(), fmt)
        });
        files.push(OutputFile::new("report.html", self.html(svg.as_deref())));
        (files, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t = Target::parse("fill_rate=0.97", None).unwrap();
        assert_eq!((t.measure, t.value), (Measure::FillRate, 0.97));
        assert_eq!(Target::parse("fill_rate >= 97%", None).unwrap().value, 0.97);
        let t = Target::parse("stockout_rate<=0.05", Some(0.9)).unwrap();
        assert_eq!((t.measure, t.statistic_name()), (Measure::StockoutRate, "p90".to_string()));
        assert_eq!(Target::parse("cycle_service=0.95", Some(0.9)).unwrap().statistic_name(), "p10");
        for bad in ["fill_rate", "fill_rate<=0.9", "stockout_rate>=0.1", "fill=0.9", "fill_rate=1.2", "fill_rate=x"] {
            assert!(matches!(Target::parse(bad, None), Err(ExperimentError::Input { .. })), "{bad}");
        }
        assert!(Target::parse("fill_rate=0.9", Some(1.0)).is_err());
    }

    #[test]
    fn statistics_of_replications() {
        let t = Target::parse("fill_rate=0.9", None).unwrap();
        assert_eq!(t.statistic(&[0.8, 1.0, f64::NAN]), 0.9);
        assert!(t.meets(0.9) && !t.meets(0.8999));
        let t = Target::parse("fill_rate=0.9", Some(0.75)).unwrap();
        // Type-7 quantile at 0.25 of 1..=5 is 2.
        assert_eq!(t.statistic(&[5.0, 1.0, 3.0, 2.0, 4.0]), 2.0);
        let t = Target::parse("stockout_rate<=0.1", Some(0.75)).unwrap();
        assert_eq!(t.statistic(&[5.0, 1.0, 3.0, 2.0, 4.0]), 4.0);
        assert!(t.statistic(&[f64::NAN]).is_nan());
    }

    #[test]
    fn textbook_levels() {
        // N(50, 8²), L = 3, daily review: μ_P = 150, σ_P = 8√3.
        let p = Protection { mean_daily: 50.0, var_daily: 64.0, lead_mean: 3.0, lead_sd: 0.0, review_days: 1 };
        let sd = 8.0 * 3f64.sqrt();
        let cs = textbook_level(&Target::parse("cycle_service=0.95", None).unwrap(), &p, 50.0);
        assert!((cs - (150.0 + 1.644_853_6 * sd)).abs() < 1e-4, "{cs}");
        let so = textbook_level(&Target::parse("stockout_rate<=0.05", None).unwrap(), &p, 50.0);
        assert!((so - cs).abs() < 1e-9);
        let fr = textbook_level(&Target::parse("fill_rate=0.97", None).unwrap(), &p, 50.0);
        let z = (fr - 150.0) / sd;
        assert!((sd * norm_loss(z) - 0.03 * 50.0).abs() < 1e-9, "{fr}");
        // Deterministic demand needs exactly the expected demand.
        let d = Protection { var_daily: 0.0, ..p };
        assert_eq!(textbook_level(&Target::parse("fill_rate=0.97", None).unwrap(), &d, 50.0), 150.0);
    }

    #[test]
    fn report_survives_undefined_values() {
        let nan = f64::NAN;
        let p = SizedPosition {
            location: "s<1>".into(),
            sku: "a".into(),
            policy: "base_stock",
            level: 4.0,
            order_up_to: 4.0,
            safety_stock: nan,
            expected_demand: nan,
            protection_days: 1.0,
            achieved: None,
            achieved_statistic: nan,
            met: false,
            reachable: false,
            textbook_level: nan,
            textbook_safety_stock: nan,
            textbook_achieved: None,
            textbook_statistic: nan,
            unit_cost: 1.0,
            avg_on_hand: nan,
            avg_inventory_value: nan,
            textbook_avg_inventory_value: nan,
        };
        let s = Sizing {
            scenario: "x".into(),
            description: String::new(),
            target: Target::parse("fill_rate=0.9", Some(0.8)).unwrap(),
            positions: vec![p],
            runs: 1,
            replications: 1,
            seed: 1,
            days: 1,
            warmup: 0,
            inventory: Kpi::AvgOnHand,
            network_inventory_value: nan,
            textbook_network_inventory_value: nan,
            frontier: vec![],
        };
        let html = String::from_utf8(s.html(None)).unwrap();
        assert!(html.contains("<td>s&lt;1&gt;</td>") && html.contains("unreachable"));
        assert!(html.contains("<td class=\"num\">–</td>") && html.contains("(chart not available)"));
        assert!(!html.contains("NaN"), "{html}");
    }

    #[test]
    fn levels_map_to_rules() {
        assert_eq!(with_level(PolicyKind::SS { s: 4.0, big_s: 10.0 }, 7.0), PolicyKind::SS { s: 7.0, big_s: 13.0 });
        assert_eq!(with_level(PolicyKind::RQ { r: 4.0, q: 10.0 }, 7.0), PolicyKind::RQ { r: 7.0, q: 10.0 });
        assert_eq!(searched_level(PolicyKind::RQ { r: 4.0, q: 10.0 }), 4.0);
    }
}
