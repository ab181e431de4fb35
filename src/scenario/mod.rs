//! Scenario files: TOML → raw structures → a validated [`Scenario`] with ids resolved.
//!
//! Loading never panics. Every problem found is reported with the file, line and column, the key,
//! what was expected and how to fix it; see [`ScenarioError`].

mod diag;
mod overlay;
mod patch;
mod raw;
mod validate;

use std::path::Path;

/// Did-you-mean for names given on the command line (e.g. `--plot-locations`).
pub use diag::closest;
pub use diag::{Diagnostic, ScenarioError, Source};
pub use patch::Patch;

use crate::distribution::Dist;
use crate::network::Network;

/// What happens to customer demand that cannot be served from stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnmetDemand {
    /// Waits and is served first when stock arrives.
    Backorder,
    /// Is lost.
    LostSales,
}

/// `[simulation]`: horizon, replications, randomness.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// Measured days per replication.
    pub days: usize,
    /// Days simulated before measuring starts.
    pub warmup_days: usize,
    /// Monte Carlo replications.
    pub replications: usize,
    /// Base seed.
    pub seed: u64,
    /// Backorders or lost sales for customer demand.
    pub unmet_demand: UnmetDemand,
    /// Calendar date of measured day 0 as (year, month 1–12, day 1–31); drives seasonality.
    pub start_date: (i32, u32, u32),
}

/// A stock-keeping unit and its economics.
#[derive(Clone, Debug, PartialEq)]
pub struct Sku {
    /// Identifier.
    pub id: String,
    /// Cost of one unit (inventory value).
    pub unit_cost: f64,
    /// Selling price of one unit.
    pub price: f64,
    /// Holding cost per unit on hand per day (default for every location).
    pub holding_cost: f64,
    /// Cost per unit backordered per day, or per unit lost.
    pub stockout_cost: f64,
    /// Fixed cost per order placed.
    pub order_cost: f64,
    /// Whole units: orders and rationing are rounded to integers.
    pub discrete: bool,
}

/// The role of a location in the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocationKind {
    /// External, unlimited stock; no KPIs.
    Supplier,
    /// Holds stock, supplies other locations.
    Warehouse,
    /// Holds stock, serves customers.
    Store,
}

impl LocationKind {
    /// Name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Supplier => "supplier",
            LocationKind::Warehouse => "warehouse",
            LocationKind::Store => "store",
        }
    }
}

/// Lead time of a lane in whole days (≥ 1).
#[derive(Clone, Debug, PartialEq)]
pub enum LeadTime {
    /// Always this many days.
    Days(u32),
    /// Drawn per day of departure from this distribution, rounded to whole days ≥ 1.
    Random(Dist),
}

impl LeadTime {
    /// Mean lead time in days, of the whole-day draws actually made (rounded, at least 1 day).
    pub fn mean(&self) -> f64 {
        self.moments().0
    }
    /// Standard deviation in days, of the whole-day draws actually made.
    pub fn sd(&self) -> f64 {
        self.moments().1
    }
    /// Mean and standard deviation of the drawn whole days: continuous and Poisson draws are
    /// rounded and clamped to at least one day, which lengthens short noisy lead times (a
    /// 2-day lead time with 1.5 days of normal noise averages about 2.2 days).
    fn moments(&self) -> (f64, f64) {
        match (self, self.day_pmf()) {
            (LeadTime::Days(d), _) => (f64::from(*d), 0.0),
            (LeadTime::Random(Dist::Constant { value }), _) => (value.round().max(1.0), 0.0),
            (_, Some((lo, pmf))) => {
                let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
                for (i, p) in pmf.iter().enumerate() {
                    let k = f64::from(lo) + i as f64;
                    (m0, m1, m2) = (m0 + p, m1 + p * k, m2 + p * k * k);
                }
                let mean = m1 / m0;
                (mean, (m2 / m0 - mean * mean).max(0.0).sqrt())
            }
            // Gamma: the moments before rounding (close for all but the shortest lead times).
            (LeadTime::Random(d), None) => (d.mean().max(1.0), d.sd()),
        }
    }

    /// The probabilities of the whole days a random lead time takes, `(first day, pmf)` — the
    /// one definition of how draws are rounded and clamped, shared by the samplers
    /// (`model::leadtime`) and the moments: Poisson with 0 counted as one day; uniform and
    /// empirical values rounded, at least one day; normal rounded and clamped to
    /// `1..=mean + 10 sd`. `None` for a fixed lead time and for gamma (drawn directly).
    pub fn day_pmf(&self) -> Option<(u32, Vec<f64>)> {
        let LeadTime::Random(d) = self else { return None };
        match d {
            Dist::Poisson { mean } if *mean > 0.0 => {
                let (lo, p) = crate::distribution::poisson_pmf(*mean);
                let hi = lo + p.len() as u32 - 1;
                let mut pmf = vec![0.0; hi.max(1) as usize];
                for (i, x) in p.iter().enumerate() {
                    pmf[((lo + i as u32).max(1) - 1) as usize] += x;
                }
                Some((1, pmf))
            }
            Dist::Poisson { .. } => Some((1, vec![1.0])),
            Dist::Uniform { min, max } => {
                let (a, b) = (min.round().max(1.0) as u32, max.round().max(1.0) as u32);
                Some((a, vec![1.0; (b - a + 1) as usize]))
            }
            Dist::Empirical { values } | Dist::Sequence { values } => {
                let hi = values.iter().map(|v| v.round().max(1.0) as u32).max().unwrap_or(1);
                let mut pmf = vec![0.0; hi as usize];
                for v in values {
                    pmf[(v.round().max(1.0) as u32 - 1) as usize] += 1.0;
                }
                Some((1, pmf))
            }
            Dist::Normal { mean, sd } if *sd > 0.0 => {
                let max = (mean + 10.0 * sd).ceil().max(1.0) as u32;
                let cdf = |x: f64| crate::stats::special::norm_cdf((x - mean) / sd);
                let pmf = (1..=max)
                    .map(|k| {
                        let k = f64::from(k);
                        let lo = if k <= 1.0 { 0.0 } else { cdf(k - 0.5) };
                        let hi = if k >= f64::from(max) { 1.0 } else { cdf(k + 0.5) };
                        hi - lo
                    })
                    .collect();
                Some((1, pmf))
            }
            _ => None,
        }
    }
}

/// A supplier or warehouse outage process.
#[derive(Clone, Debug, PartialEq)]
pub enum Disruption {
    /// Two-state Markov chain drawn at the start of each day; starts up.
    Markov {
        /// Mean length of an up spell in days (up→down probability 1/mean_days_up).
        mean_days_up: f64,
        /// Mean length of a down spell in days (down→up probability 1/mean_days_down).
        mean_days_down: f64,
    },
    /// Down (or at reduced capacity) on the given inclusive windows of measured days.
    Scheduled {
        /// Inclusive `[first, last]` day windows.
        windows: Vec<(i64, i64)>,
        /// Units per day that can still ship during a window (`None` = nothing ships).
        capacity_per_day: Option<f64>,
    },
}

/// A location of the network.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    /// Days an order takes to reach the source (information delay; 0 = the same day).
    pub order_delay: u32,
    /// Units per day already on their way at the start, in every slot of the inbound pipeline
    /// and of the order mail (a steady state such as the Beer Game's "4 in each slot").
    pub initial_pipeline: f64,
    /// Identifier.
    pub id: String,
    /// Supplier, warehouse or store.
    pub kind: LocationKind,
    /// Index of the location it orders from (none for suppliers).
    pub source: Option<usize>,
    /// Lead time of the lane from its source.
    pub lead_time: LeadTime,
    /// Holding-cost override for every SKU here.
    pub holding_cost: Option<f64>,
    /// Outage processes.
    pub disruptions: Vec<Disruption>,
    /// Units per day (all SKUs) it can ship; `None` = unlimited.
    pub capacity_per_day: Option<f64>,
    /// Region label (stress tests, rebalancing).
    pub region: Option<String>,
    /// Tier label (tier-based allocation).
    pub tier: Option<String>,
    /// Transport delays on the lane into this location.
    pub delays: Vec<Delay>,
    /// How it rations scarce stock among the locations it supplies.
    pub rationing: Rationing,
    /// Stock held back from lower tiers until early sales confirm demand (warehouses).
    pub reserve: Option<Reserve>,
    /// Forecast-driven allocation to the locations it supplies (warehouses).
    pub push: Option<Push>,
    /// Split of a launch quantity between it and the locations it supplies (warehouses).
    pub launch: Option<Launch>,
    /// Weight in launch allocations (default 1).
    pub weight: f64,
}

/// How a location shares scarce stock among the locations it supplies.
#[derive(Clone, Debug, PartialEq)]
pub enum Rationing {
    /// In proportion to what each asked for (the default).
    Proportional,
    /// In full, one after another, in this order of location indices (then file order).
    Priority(Vec<usize>),
    /// So that their days of cover after allocation are as equal as possible.
    FairShare,
    /// Tier by tier in label order, proportionally within a tier.
    TierPriority,
}

/// Stock a warehouse holds back for one tier until that tier's sell-through reaches a threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Reserve {
    /// Share of the warehouse's initial stock held back.
    pub share: f64,
    /// Sell-through of the protected tier that releases the reserve.
    pub release_sell_through: f64,
    /// The protected tier (it may always use the reserve).
    pub tier: String,
}

/// Forecast-driven push: on every cycle, the warehouse ships each location it supplies its
/// forecast need for the cycle and the lead time, plus a buffer, minus what it has.
#[derive(Clone, Debug, PartialEq)]
pub struct Push {
    /// Days between allocations.
    pub cycle_days: u32,
    /// Allocations happen on measured days d with d mod cycle_days = offset.
    pub offset: u32,
    /// Buffer on top of the forecast need (units, days of cover, or a service target).
    pub buffer: LevelSpec,
    /// How demand is forecast.
    pub forecast: Forecast,
}

/// A demand forecast, updated from the demand seen so far in the replication.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The method.
    pub method: ForecastMethod,
    /// Forecast the national total and split it evenly (instead of each location's own).
    pub national: bool,
    /// Systematic error: forecasts are multiplied by 1 + bias.
    pub bias: f64,
    /// Random error: forecasts are multiplied by a log-normal factor with this coefficient of
    /// variation, drawn at every allocation.
    pub noise_cv: f64,
}

/// Forecasting methods.
#[derive(Clone, Debug, PartialEq)]
pub enum ForecastMethod {
    /// Mean of the last `window` days.
    MovingAverage {
        /// Days averaged.
        window: u32,
    },
    /// Simple exponential smoothing.
    ExpSmoothing {
        /// Weight of the newest day.
        alpha: f64,
    },
    /// The same days one season ago.
    SeasonalNaive {
        /// Season length in days.
        season: u32,
    },
    /// The plan: the scenario's own expected demand (seasonality, promotions and trend
    /// included) — perfect knowledge of the mean.
    Plan,
}

/// A launch: a total quantity per SKU split between a warehouse and the locations it supplies.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// Total units per SKU (indexed by SKU; `None` = this SKU is not launched).
    pub total: Vec<Option<f64>>,
    /// Share of the total the warehouse keeps.
    pub keep: f64,
    /// How the rest is split between the locations it supplies.
    pub by: LaunchBy,
}

/// Shares of a launch allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchBy {
    /// By the locations' `weight`.
    Weights,
    /// By their expected demand.
    Demand,
    /// By expected demand × weight.
    WeightedDemand,
}

/// Lateral transshipment between stores.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebalancing {
    /// Days between reviews.
    pub review_days: u32,
    /// A store below this many days of cover receives.
    pub trigger_days: f64,
    /// Receivers are filled up to, and donors keep, this many days of cover.
    pub target_days: f64,
    /// Transfer lead time in days.
    pub lead_time: u32,
    /// Cost per unit transferred.
    pub cost_per_unit: f64,
    /// Which stores may exchange stock.
    pub within: RebalanceWithin,
}

/// Groups of stores that may exchange stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceWithin {
    /// Stores with the same `region`.
    Region,
    /// Stores with the same source.
    Source,
    /// All stores.
    All,
}

/// A transport delay on a lane: shipments leaving while it is active take longer.
#[derive(Clone, Debug, PartialEq)]
pub enum Delay {
    /// On fixed inclusive windows of measured days.
    Scheduled {
        /// Inclusive `[first, last]` day windows (days of departure).
        windows: Vec<(i64, i64)>,
        /// Days added to the lead time.
        extra_days: Dist,
    },
    /// Random events: each day an event starts with probability 1/mean_days_between (when
    /// none is active) and lasts a drawn number of days.
    Random {
        /// Mean days between event starts.
        mean_days_between: f64,
        /// Length of an event in days.
        duration: Dist,
        /// Days added to the lead time during an event (drawn per event).
        extra_days: Dist,
    },
}

/// Random demand shocks (weather, a social-media spike): events arriving at a rate, each
/// multiplying the demand of a group of streams for a random duration.
#[derive(Clone, Debug, PartialEq)]
pub struct Shock {
    /// Indices into `Scenario::demand` of the streams it hits.
    pub streams: Vec<usize>,
    /// Mean days between event starts.
    pub mean_days_between: f64,
    /// Length of an event in days.
    pub duration: Dist,
    /// Demand multiplier during an event (drawn per event).
    pub multiplier: Dist,
    /// What it represents.
    pub description: String,
}

/// A daily random factor shared by a group of demand streams (e.g. a region's weather):
/// log-normal with mean 1 and the given coefficient of variation, optionally autocorrelated.
#[derive(Clone, Debug, PartialEq)]
pub struct CommonFactor {
    /// Indices into `Scenario::demand` of the streams it multiplies.
    pub streams: Vec<usize>,
    /// Coefficient of variation of the factor.
    pub cv: f64,
    /// Day-to-day correlation of the factor's logarithm (0 = independent days).
    pub autocorrelation: f64,
}

/// How a stock level was given in the file, kept for reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LevelSpec {
    /// Units.
    Units(f64),
    /// Days of cover × expected daily demand of the position.
    Days(f64),
    /// Cycle-service target: expected demand over lead time + review period + z·σ.
    Service(f64),
    /// Pipeline cover: this multiple of the expected demand over the protection period (lead
    /// time + review period − 1 days); 1 = no safety stock (just-in-time).
    Cover(f64),
}

/// A replenishment rule with resolved numeric levels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PolicyKind {
    /// Order up to `level` whenever IP < level.
    BaseStock {
        /// Order-up-to level S.
        level: f64,
    },
    /// Order up to `big_s` when IP ≤ `s`.
    SS {
        /// Reorder point s.
        s: f64,
        /// Order-up-to level S.
        big_s: f64,
    },
    /// When IP ≤ r, order the smallest multiple of `q` that lifts IP above r.
    RQ {
        /// Reorder point r.
        r: f64,
        /// Batch size Q.
        q: f64,
    },
    /// Order up to `level` on the echelon inventory position (Clark–Scarf).
    EchelonBaseStock {
        /// Echelon order-up-to level.
        level: f64,
    },
    /// Never orders (stock arrives only by push or transfers).
    None,
}

impl PolicyKind {
    /// The level stock is raised to after an order (S, or r + Q).
    pub fn order_up_to(&self) -> f64 {
        match *self {
            PolicyKind::BaseStock { level } | PolicyKind::EchelonBaseStock { level } => level,
            PolicyKind::SS { big_s, .. } => big_s,
            PolicyKind::RQ { r, q } => r + q,
            PolicyKind::None => 0.0,
        }
    }
    /// Name as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            PolicyKind::BaseStock { .. } => "base_stock",
            PolicyKind::SS { .. } => "s_S",
            PolicyKind::RQ { .. } => "r_Q",
            PolicyKind::EchelonBaseStock { .. } => "echelon_base_stock",
            PolicyKind::None => "none",
        }
    }
}

/// A replenishment policy: the rule, its review cycle and an order cap.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The rule and its levels.
    pub kind: PolicyKind,
    /// How each level was written (same order as the rule's parameters).
    pub specs: Vec<(&'static str, LevelSpec)>,
    /// Review every this many days (1 = continuous/daily review).
    pub review_days: u32,
    /// Reviews happen on measured days d with d ≡ offset (mod review_days).
    pub review_offset: u32,
    /// Largest quantity per order.
    pub max_order: Option<f64>,
    /// Levels re-set every day from this forecast of the demand arriving at the position
    /// (customer demand plus orders from below) instead of the scenario's average demand.
    pub forecast: Option<Forecast>,
}

/// A stocking point: one SKU at one warehouse or store.
#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    /// Location index.
    pub location: usize,
    /// SKU index.
    pub sku: usize,
    /// Replenishment policy.
    pub policy: Policy,
    /// Initial on-hand; `None` = the policy's order-up-to level.
    pub initial_on_hand: Option<f64>,
    /// Holding cost per unit per day.
    pub holding_cost: f64,
    /// Stockout cost per unit (backordered per day, or lost).
    pub stockout_cost: f64,
    /// Fixed cost per order.
    pub order_cost: f64,
    /// Expected daily customer demand here and below (for levels in days of cover, reports).
    pub mean_daily_demand: f64,
    /// Standard deviation of daily customer demand here and below.
    pub sd_daily_demand: f64,
    /// ABC (volume) × XYZ (variability) segment of a customer-facing position, e.g. "AX".
    pub segment: Option<String>,
}

/// A promotion: demand × multiplier on an inclusive window of measured days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Promotion {
    /// First day (inclusive).
    pub first_day: i64,
    /// Last day (inclusive).
    pub last_day: i64,
    /// Demand multiplier.
    pub multiplier: f64,
    /// Counts as a disruption for the resilience KPIs (demand surges of stress tests).
    pub shock: bool,
}

/// One stream of customer demand at a position.
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    /// Location index.
    pub location: usize,
    /// SKU index.
    pub sku: usize,
    /// Daily demand distribution.
    pub dist: Dist,
    /// Day-of-week factors, Monday first.
    pub weekly: Option<[f64; 7]>,
    /// Month-of-year factors, January first.
    pub monthly: Option<[f64; 12]>,
    /// Promotions.
    pub promotions: Vec<Promotion>,
    /// Growth of the mean per year (0.1 = +10 %/year, compounding daily).
    pub trend_per_year: f64,
    /// Stable name of the stream (seeds its random numbers).
    pub key: String,
}

/// A validated scenario: every id resolved, every parameter checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Free-text description (the file's `description` key).
    pub description: String,
    /// Horizon, replications, seed.
    pub simulation: Simulation,
    /// SKUs.
    pub skus: Vec<Sku>,
    /// Locations in file order.
    pub locations: Vec<Location>,
    /// Who supplies whom (built from `locations`, acyclic).
    pub network: Network,
    /// Stocking positions, location-major in file order.
    pub positions: Vec<Position>,
    /// Demand streams.
    pub demand: Vec<Demand>,
    /// Random demand shocks.
    pub shocks: Vec<Shock>,
    /// Common demand factors.
    pub factors: Vec<CommonFactor>,
    /// Lateral transshipment between stores.
    pub rebalancing: Option<Rebalancing>,
    /// Named strategies defined in the file (`[strategies.<name>]`), the default first.
    pub strategies: Vec<Named>,
    /// Named stress tests defined in the file (`[stress.<name>]`).
    pub stresses: Vec<Named>,
    /// The strategy applied, if any.
    pub strategy: Option<String>,
    /// The stress test applied, if any.
    pub stress: Option<String>,
}

/// A named strategy or stress test and its description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// Name as written after `strategies.` or `stress.`.
    pub name: String,
    /// Its `description` (may be empty).
    pub description: String,
}

/// Which variant of a scenario file to load: a strategy, a stress test, and `--set` patches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variant {
    /// Strategy name (`None` = the file's default strategy, or its own policies).
    pub strategy: Option<String>,
    /// Stress test name (`None` = none).
    pub stress: Option<String>,
    /// Patches applied before validation.
    pub patches: Vec<Patch>,
}

/// A stock level in units from its specification, for a position whose daily demand (at and
/// below it) has this mean and variance, with this inbound lead time and review period.
pub fn resolve_level(spec: LevelSpec, mean: f64, var: f64, lt: &LeadTime, review: u32) -> f64 {
    let period = lt.mean() + f64::from(review) - 1.0;
    match spec {
        LevelSpec::Units(u) => u,
        LevelSpec::Days(days) => days * mean,
        LevelSpec::Service(p) => {
            let sd = (period * var + mean * mean * lt.sd().powi(2)).sqrt();
            (mean * period + crate::stats::special::norm_quantile(p) * sd).max(0.0)
        }
        LevelSpec::Cover(f) => f * mean * period,
    }
}

impl Scenario {
    /// Loads a variant of a scenario file: patches, then a strategy and a stress test applied.
    pub fn load_variant(path: &Path, v: &Variant) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
        validate::load_variant(&Source::new(path.display().to_string(), text), v)
    }

    /// Parses a variant of scenario text.
    pub fn parse_variant(name: &str, text: &str, v: &Variant) -> Result<Scenario, ScenarioError> {
        validate::load_variant(&Source::new(name.to_string(), text.to_string()), v)
    }

    /// Loads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Self::load_with(path, &[])
    }

    /// Loads a file, applies `patches` (e.g. from `--set`) to the TOML, then validates.
    pub fn load_with(path: &Path, patches: &[Patch]) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
        Self::from_source(&Source::new(path.display().to_string(), text), patches)
    }

    /// Parses and validates scenario text (`name` is used in messages).
    pub fn parse(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
        Self::from_source(&Source::new(name.to_string(), text.to_string()), &[])
    }

    /// Parses and validates a [`Source`] with patches.
    pub fn from_source(src: &Source, patches: &[Patch]) -> Result<Scenario, ScenarioError> {
        validate::load_variant(src, &Variant { patches: patches.to_vec(), ..Variant::default() })
    }

    /// Index of the location with this id.
    pub fn location_index(&self, id: &str) -> Option<usize> {
        self.locations.iter().position(|l| l.id == id)
    }

    /// Index of the SKU with this id.
    pub fn sku_index(&self, id: &str) -> Option<usize> {
        self.skus.iter().position(|s| s.id == id)
    }

    /// Whether a position faces customer demand.
    pub fn has_demand(&self, location: usize, sku: usize) -> bool {
        self.demand.iter().any(|d| d.location == location && d.sku == sku)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The moments of the whole days drawn, against values computed by hand.
    #[test]
    fn lead_time_moments_are_those_of_the_rounded_draws() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        // N(2, 1.5²) rounded, at least 1 day: Σ k·P(round(X) = k) with P(k = 1) = Φ(−1/3).
        let n = LeadTime::Random(Dist::Normal { mean: 2.0, sd: 1.5 });
        assert!(close(n.mean(), 2.217_741_3), "{}", n.mean());
        // Poisson(0.5) with 0 counted as 1: mean 0.5 + e^−0.5, variance 0.5 + 0.25 + e^−0.5 − mean².
        let p = LeadTime::Random(Dist::Poisson { mean: 0.5 });
        let m = 0.5 + (-0.5f64).exp();
        assert!(close(p.mean(), m) && close(p.sd(), (0.75 + (-0.5f64).exp() - m * m).sqrt()));
        // Uniform 1.4..3.6 draws whole days 1..=4 evenly: mean 2.5, variance (4² − 1)/12.
        let u = LeadTime::Random(Dist::Uniform { min: 1.4, max: 3.6 });
        assert!(close(u.mean(), 2.5) && close(u.sd(), (15.0f64 / 12.0).sqrt()));
        // Empirical values 0.2 and 3 → 1 and 3 days.
        let e = LeadTime::Random(Dist::Empirical { values: vec![0.2, 3.0] });
        assert!(close(e.mean(), 2.0) && close(e.sd(), 1.0));
        assert_eq!((LeadTime::Days(4).mean(), LeadTime::Days(4).sd()), (4.0, 0.0));
    }
}
