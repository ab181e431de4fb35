//! The search: every position's bracket narrowed run by run, then the frontier runs.

use super::{FrontierPoint, Protection, SizedPosition, Sizing, Target, textbook_level};
use crate::experiment::{ExperimentError, Settings, inventory_kpi};
use crate::kpi::Kpi;
use crate::model::{Model, NONE};
use crate::policy::PolicyKind;
use crate::runner::{self, Keep, Progress, RunOptions, RunResult, Scope};
use crate::stats::Summary;

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
            return self.template.searched_level();
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
    check_sizable(model)?;
    let opts = settings.options(&model.scenario);
    let scopes = runner::scopes_of(model);
    let mut searches: Vec<Search> = model
        .topo
        .customer_list
        .iter()
        .map(|&q| q.idx())
        .filter(|&q| sizable(model, q))
        .map(|q| Search::new(model, target, q, &scopes))
        .collect();
    let bar = RunBar::new(settings, opts.replications, 3 + bisection_runs(&searches) + 1, "size · search");
    let mut runs = Runs { opts: RunOptions { keep: Keep::All, ..opts.clone() }, bar, count: 0 };
    let (final_run, textbook_run) = search(model, target, &mut searches, &mut runs);

    let inventory = inventory_kpi(&model.scenario);
    let finals: Vec<f64> = searches.iter().map(Search::result).collect();
    runs.bar.finish();
    runs.bar = RunBar::new(settings, opts.replications, SCALES.len() - 1, "size · frontier");
    let (frontier, zero) =
        frontier_points(model, target, &searches, &finals, [&final_run, &textbook_run], inventory, &mut runs);
    // Leave the model at the sized levels.
    for (s, &x) in searches.iter().zip(&finals) {
        model.set_policy(s.q, s.template.with_searched_level(x));
    }
    runs.bar.finish();

    let positions = searches
        .iter()
        .zip(&finals)
        .zip(&zero)
        .map(|((s, &level), &z)| {
            let mut p = sized_position(model, target, s, level, &final_run, &textbook_run);
            p.zero_safety_statistic = z;
            p
        })
        .collect();
    let sc = &model.scenario;
    let name = if sc.name.is_empty() { "scenario".to_string() } else { sc.name.clone() };
    Ok(Sizing {
        scenario: name,
        description: sc.description.clone(),
        target: *target,
        positions,
        runs: runs.count - (SCALES.len() - 1),
        replications: opts.replications,
        seed: opts.seed,
        days: model.days,
        warmup: model.warmup,
        inventory,
        network_inventory_value: mean_of(&final_run, final_run.network_index(), Kpi::AvgInventoryValue),
        textbook_network_inventory_value: mean_of(&textbook_run, textbook_run.network_index(), Kpi::AvgInventoryValue),
        frontier,
    })
}

/// Positions without a level to move (no policy, e.g. stores a warehouse pushes to) or whose
/// levels follow a forecast are not sized.
fn sizable(model: &Model, q: usize) -> bool {
    model.stock.policy[q].kind != PolicyKind::None && model.stock.policy[q].dynamic == NONE
}

/// An input error unless some customer-facing position has a level to size.
fn check_sizable(model: &Model) -> Result<(), ExperimentError> {
    if model.n_pos() > runner::POSITION_SCOPES_MAX {
        return Err(ExperimentError::input(
            format!(
                "size searches every position on its replications, which is kept for networks of up to {} \
                 positions; this one has {}",
                runner::POSITION_SCOPES_MAX,
                model.n_pos()
            ),
            "size a part of the network (a region's stores, a category's SKUs) as its own scenario, or run it and \
             read positions.csv for the positions that miss service",
        ));
    }
    if model.topo.customer_list.is_empty() {
        return Err(ExperimentError::input(
            "the scenario has no customer-facing positions to size",
            "add [[demand]] at a store or warehouse",
        ));
    }
    if !model.topo.customer_list.iter().any(|&q| sizable(model, q.idx())) {
        return Err(ExperimentError::input(
            "no customer-facing position has a fixed stock level to size",
            "size needs base_stock, s_S, min_max or r_Q policies without a forecast (try --strategy)",
        ));
    }
    Ok(())
}

impl Search {
    /// The search of position `q`, starting at its textbook level.
    fn new(model: &Model, target: &Target, q: usize, scopes: &[Scope]) -> Self {
        let l = model.topo.pos_loc[q].idx();
        let spec = &model.scenario.positions[model.topo.pos_spec[q] as usize];
        let lt = &model.scenario.locations[l].lead_time;
        // Validation's moments of the demand here and below, online demand routed here included
        // (one definition).
        let (mean_daily, var_daily) = spec.planned();
        let protection = Protection {
            mean_daily,
            var_daily,
            lead_mean: lt.mean(),
            lead_sd: lt.sd(),
            review_days: model.stock.policy[q].review_days,
        };
        let template = model.stock.policy[q].kind;
        let whole = model.stock.whole[q];
        let sd = protection.sd();
        let daily_sd = if spec.routed_var == 0.0 { spec.sd_daily_demand } else { var_daily.sqrt() };
        let scale = protection.mean().max(1.0);
        // Bisection tolerance: a hundredth of the daily demand's sd (or of the protection
        // demand when demand is deterministic); whole units stop at one unit.
        let tol = if daily_sd > 0.0 { 0.01 * daily_sd.min(sd.max(daily_sd)) } else { 1e-3 * scale };
        let step0 = if sd > 0.0 { sd } else { 0.1 * scale };
        let step0 = if whole { step0.ceil().max(1.0) } else { step0 };
        let textbook =
            textbook_level(target, &protection, template.cycle_demand(protection.mean_daily, protection.review_days));
        let start = if whole { (textbook - 1e-9).ceil().max(0.0) } else { textbook };
        Search {
            q,
            scope: scopes
                .iter()
                .position(|&s| s == Scope::Position(q))
                .expect("positions are scopes below POSITION_SCOPES_MAX"),
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
        }
    }

    /// Opens the search again upwards from a final level that no longer meets the target.
    fn reopen(&mut self) {
        // The miss is small (positions that share a source shift each other's service a
        // little), so with a small step.
        let step = if self.whole { 1.0 } else { (8.0 * self.tol).min(self.step0) };
        self.lo = Some(self.result());
        self.hi = None;
        self.cur = self.round_up(self.lo.unwrap_or(0.0) + step);
        self.step = 2.0 * step;
        self.done = false;
        self.stalls = 0;
    }
}

/// Estimated bisection runs of the slowest search (for the progress bar).
fn bisection_runs(searches: &[Search]) -> usize {
    searches
        .iter()
        .map(|s| (2.0 * s.step0 / if s.whole { 1.0 } else { s.tol }).log2().ceil().max(0.0) as usize)
        .max()
        .unwrap_or(0)
}

/// The simulation runs of a sizing: options, progress bar and count.
struct Runs<'a> {
    opts: RunOptions,
    bar: RunBar<'a>,
    count: usize,
}

impl Runs<'_> {
    /// One run with every searched position at the given level; the rest of the network as is.
    fn run_at(&mut self, m: &mut Model, levels: &[f64], searches: &[Search], what: &str) -> RunResult {
        for (s, &x) in searches.iter().zip(levels) {
            m.set_policy(s.q, s.template.with_searched_level(x));
        }
        self.count += 1;
        runner::run(m, &self.opts, self.bar.next(&format!("size · run {}{what}", self.count)))
    }
}

/// Narrows every search run by run until one run has every position at its final level and
/// each meets the target (or cannot, or repairs ran out). Returns that check run and the first
/// run, at the textbook levels.
fn search(model: &mut Model, target: &Target, searches: &mut [Search], runs: &mut Runs) -> (RunResult, RunResult) {
    let mut textbook_run: Option<RunResult> = None;
    let mut repairs = 0;
    let final_run = loop {
        let levels: Vec<f64> = searches.iter().map(Search::level).collect();
        let check = searches.iter().all(|s| s.done);
        let r = runs.run_at(model, &levels, searches, if check { " (check)" } else { "" });
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
                    s.reopen();
                    repaired = true;
                }
            }
            if !repaired {
                break r;
            }
            repairs += 1;
        }
        if runs.count >= MAX_RUNS {
            // Give up narrowing: settle every open search at its best known level (the lowest
            // level meeting the target, else the closest) and check.
            for s in searches.iter_mut().filter(|s| !s.done) {
                s.done = true;
            }
        }
    };
    (final_run, textbook_run.expect("at least one run"))
}

/// The frontier: every sized safety stock scaled together by [`SCALES`] (× 1 is `final_run`),
/// then the textbook levels; and each position's target statistic at zero safety stock (the
/// × 0 run), which explains a negative safety stock.
fn frontier_points(
    model: &mut Model,
    target: &Target,
    searches: &[Search],
    finals: &[f64],
    [final_run, textbook_run]: [&RunResult; 2],
    inventory: Kpi,
    runs: &mut Runs,
) -> (Vec<FrontierPoint>, Vec<f64>) {
    let point = |r: &RunResult, label: String, scale: f64| {
        let s = r.scope_summary(r.network_index());
        FrontierPoint {
            label,
            scale,
            fill_rate: s[Kpi::FillRate as usize].clone(),
            inventory: s[inventory as usize].clone(),
        }
    };
    let mut frontier = Vec::new();
    let mut zero = vec![f64::NAN; searches.len()];
    for f in SCALES {
        let label = format!("safety stock × {f}");
        if f == 1.0 {
            frontier.push(point(final_run, label, f));
            continue;
        }
        let levels: Vec<f64> = searches
            .iter()
            .zip(finals)
            .map(|(s, &x)| {
                let mu = s.protection.mean();
                s.round_up((mu + f * (x - mu)).max(0.0))
            })
            .collect();
        let r = runs.run_at(model, &levels, searches, " (frontier)");
        if f == 0.0 {
            zero = searches.iter().map(|s| target.statistic(&target.values(&r, s.scope))).collect();
        }
        frontier.push(point(&r, label, f));
    }
    frontier.push(point(textbook_run, "textbook levels".into(), f64::NAN));
    (frontier, zero)
}

/// Mean of one KPI of one scope across a run's replications (NaN if undefined).
fn mean_of(r: &RunResult, scope: usize, k: Kpi) -> f64 {
    Summary::of(r.series(scope, k)).map_or(f64::NAN, |s| s.mean)
}

/// The result of one search: its level and what it and the textbook level achieve.
fn sized_position(
    model: &Model,
    target: &Target,
    s: &Search,
    level: f64,
    final_run: &RunResult,
    textbook_run: &RunResult,
) -> SizedPosition {
    let sc = &model.scenario;
    let mu = s.protection.mean();
    let achieved_v = target.values(final_run, s.scope);
    let textbook_v = target.values(textbook_run, s.scope);
    let achieved_statistic = target.statistic(&achieved_v);
    let kind = model.stock.policy[s.q].kind;
    SizedPosition {
        location: sc.locations[model.topo.pos_loc[s.q].idx()].id.clone(),
        sku: sc.skus[model.topo.pos_sku[s.q] as usize].id.clone(),
        policy: kind.name(),
        level,
        order_up_to: kind.order_up_to(),
        safety_stock: level - mu,
        cycle_stock: s.template.cycle_demand(s.protection.mean_daily, s.protection.review_days),
        zero_safety_statistic: f64::NAN,
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
        unit_cost: model.econ.unit_cost[s.q],
        avg_on_hand: mean_of(final_run, s.scope, Kpi::AvgOnHand),
        avg_inventory_value: mean_of(final_run, s.scope, Kpi::AvgInventoryValue),
        textbook_avg_inventory_value: mean_of(textbook_run, s.scope, Kpi::AvgInventoryValue),
    }
}
