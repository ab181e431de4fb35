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

mod report;
mod search;

pub use search::size;

use super::ExperimentError;
use crate::kpi::Kpi;
use crate::report::format::{fmt_pct, fmt_share};
use crate::runner::RunResult;
use crate::stats::special::{norm_loss, norm_quantile};
use crate::stats::{Summary, quantile_sorted};

/// The service measure a target is set on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
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

/// Demand a position must cover between placing an order and the next order's arrival.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
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

/// A sized position.
#[derive(Clone, Debug, serde::Serialize)]
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
    /// Level − expected demand over the protection period (negative where the cycle stock
    /// alone more than meets the target).
    pub safety_stock: f64,
    /// Units ordered per replenishment cycle, the cycle stock's size: S − s, Q, or the demand
    /// of one review period for base-stock.
    pub cycle_stock: f64,
    /// The target's statistic with the safety stock at zero (level = expected demand), from
    /// the frontier's × 0 run (NaN if not measured).
    pub zero_safety_statistic: f64,
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
#[derive(Clone, Debug, serde::Serialize)]
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
#[derive(Clone, Debug, serde::Serialize)]
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;

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
            cycle_stock: nan,
            zero_safety_statistic: nan,
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
        assert_eq!(
            PolicyKind::SS { s: 4.0, big_s: 10.0 }.with_searched_level(7.0),
            PolicyKind::SS { s: 7.0, big_s: 13.0 }
        );
        assert_eq!(PolicyKind::RQ { r: 4.0, q: 10.0 }.with_searched_level(7.0), PolicyKind::RQ { r: 7.0, q: 10.0 });
        assert_eq!(PolicyKind::RQ { r: 4.0, q: 10.0 }.searched_level(), 4.0);
    }
}
