//! Raw scenario structures: exactly what the TOML says, before any check beyond types.
#![allow(dead_code)]
//!
//! Each top-level section and each element of an array of tables is decoded on its own, so one
//! mistake does not hide the others. Fields whose shape varies (a lead time that is a number or a
//! distribution, a policy, a stock level in units or days of cover) are kept as spanned TOML
//! values and decoded during validation, where the message can say what was expected.

use serde::Deserialize;
use toml::{Spanned, Value};

/// A spanned value: remembers where in the file it was written.
pub type S<T> = Spanned<T>;

/// `[simulation]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub days: Option<S<i64>>,
    pub warmup_days: Option<S<i64>>,
    pub replications: Option<S<i64>>,
    pub seed: Option<S<i64>>,
    pub unmet_demand: Option<S<String>>,
    pub start_date: Option<S<String>>,
    pub cost_checks: Option<S<bool>>,
}

/// One `[[skus]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSku {
    pub id: S<String>,
    pub unit_cost: Option<S<f64>>,
    pub price: Option<S<f64>>,
    pub holding_cost: Option<S<f64>>,
    pub stockout_cost: Option<S<f64>>,
    pub order_cost: Option<S<f64>>,
    pub discrete: Option<bool>,
    pub description: Option<String>,
}

/// One `[[locations]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLocation {
    pub id: S<String>,
    #[serde(rename = "type")]
    pub kind: S<String>,
    pub source: Option<S<String>>,
    pub lead_time: Option<S<Value>>,
    pub policy: Option<S<Value>>,
    pub initial_on_hand: Option<S<Value>>,
    pub holding_cost: Option<S<f64>>,
    pub stockout_cost: Option<S<f64>>,
    pub order_cost: Option<S<f64>>,
    pub skus: Option<S<Vec<String>>>,
    pub disruption: Option<S<Value>>,
    pub capacity_per_day: Option<S<f64>>,
    pub region: Option<S<String>>,
    pub tier: Option<S<String>>,
    pub description: Option<String>,
    pub delays: Option<S<Value>>,
    pub lead_time_variance_factor: Option<S<f64>>,
    pub lead_time_extra_sd: Option<S<f64>>,
    pub rationing: Option<S<String>>,
    pub priority: Option<S<Vec<String>>>,
    pub reserve: Option<S<RawReserve>>,
    pub push: Option<S<RawPush>>,
    pub launch: Option<S<RawLaunch>>,
    pub weight: Option<S<f64>>,
    pub order_delay: Option<S<i64>>,
    pub initial_pipeline: Option<S<f64>>,
    pub fulfil_from: Option<S<Vec<String>>>,
    pub routing: Option<S<String>>,
    pub max_wait_days: Option<S<i64>>,
    pub ship_cost: Option<S<f64>>,
    pub delivery_days: Option<S<Value>>,
    pub online_protection: Option<S<Value>>,
    pub bopis_fallback: Option<S<String>>,
    pub fee_per_unit: Option<S<f64>>,
    pub removal_cost: Option<S<f64>>,
    pub shrinkage: Option<S<Value>>,
    pub receiving_errors: Option<S<f64>>,
    pub cycle_count: Option<S<Value>>,
    pub visibility_lag_days: Option<S<i64>>,
}

/// `reserve = { share = 0.3, release_sell_through = 0.4, tier = "A" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReserve {
    pub share: f64,
    pub release_sell_through: f64,
    pub tier: String,
}

/// `push = { cycle_days = 7, buffer = { days = 2 }, forecast = { ... } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPush {
    pub cycle_days: i64,
    pub offset: Option<i64>,
    pub buffer: Option<Value>,
    pub forecast: Option<RawForecast>,
}

/// `forecast = { method = "moving_average", window = 28, scope = "store", bias = 0, noise_cv = 0 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawForecast {
    pub method: String,
    pub window: Option<i64>,
    pub alpha: Option<f64>,
    pub season: Option<i64>,
    pub scope: Option<String>,
    pub bias: Option<f64>,
    pub noise_cv: Option<f64>,
}

/// `launch = { total = 2000, keep = 0.3, by = "weights" }` (total: a number for every SKU, or
/// a table `{ sku = units }`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLaunch {
    pub total: Value,
    pub keep: Option<f64>,
    pub by: Option<String>,
}

/// `[rebalancing]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRebalancing {
    pub review_days: Option<i64>,
    pub trigger_days: f64,
    pub target_days: f64,
    pub lead_time: Option<i64>,
    pub cost_per_unit: Option<f64>,
    pub within: Option<String>,
}

/// One `[[demand]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDemand {
    pub location: S<String>,
    pub sku: Option<S<String>>,
    pub distribution: S<Value>,
    pub seasonality: Option<S<RawSeasonality>>,
    pub promotions: Option<Vec<S<RawPromotion>>>,
    pub channel: Option<S<String>>,
    pub trend_per_year: Option<S<f64>>,
}

/// `seasonality = { weekly = [...7], monthly = [...12] }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeasonality {
    pub weekly: Option<S<Vec<f64>>>,
    pub monthly: Option<S<Vec<f64>>>,
}

/// `{ first_day = 10, last_day = 19, multiplier = 2.0 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPromotion {
    pub first_day: i64,
    pub last_day: i64,
    pub multiplier: f64,
    /// Counts as a disruption for the resilience KPIs (stress tests set it).
    pub shock: Option<bool>,
}

/// A transport delay on a lane: scheduled (`first_day`, `last_day`) or random (`type =
/// "random"`, `mean_days_between`, `duration`); shipments leaving during it take `extra_days`
/// more.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDelay {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub first_day: Option<i64>,
    pub last_day: Option<i64>,
    pub mean_days_between: Option<f64>,
    pub duration: Option<Value>,
    pub extra_days: Value,
}

/// One `[[shocks]]` entry: random demand shocks arriving at a rate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    pub location: Option<S<String>>,
    pub locations: Option<S<Vec<String>>>,
    pub region: Option<S<String>>,
    pub sku: Option<S<String>>,
    pub mean_days_between: S<f64>,
    pub duration: S<Value>,
    pub multiplier: S<Value>,
    pub description: Option<String>,
}

/// One `[[common_factors]]` entry: a daily random factor shared by the demand of a group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFactor {
    pub location: Option<S<String>>,
    pub locations: Option<S<Vec<String>>>,
    pub region: Option<S<String>>,
    pub sku: Option<S<String>>,
    pub cv: S<f64>,
    pub autocorrelation: Option<S<f64>>,
    pub description: Option<String>,
}

/// One `[[positions]]` entry: per-SKU settings at a location.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPosition {
    pub location: S<String>,
    pub sku: S<String>,
    pub policy: Option<S<Value>>,
    pub initial_on_hand: Option<S<Value>>,
    pub holding_cost: Option<S<f64>>,
    pub stockout_cost: Option<S<f64>>,
    pub order_cost: Option<S<f64>>,
}

/// A distribution table as written: `{ type = "poisson", mean = 3 }`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawDist {
    Poisson { mean: f64 },
    Normal { mean: f64, sd: f64 },
    NegativeBinomial { mean: f64, sd: f64 },
    Gamma { mean: f64, sd: f64 },
    Uniform { min: f64, max: f64 },
    Constant { value: f64 },
    Sequence { values: Vec<f64> },
    Empirical { values: Vec<f64> },
    Intermittent { mean: f64, sd: f64, probability: f64 },
    Weeks { values: Vec<f64> },
}

/// Names accepted for `type` in a distribution table.
pub const DIST_TYPES: &[&str] = &[
    "poisson",
    "normal",
    "negative_binomial",
    "gamma",
    "uniform",
    "constant",
    "sequence",
    "empirical",
    "intermittent",
];

/// A disruption table as written.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawDisruption {
    Markov { mean_days_up: f64, mean_days_down: f64 },
    Scheduled { windows: Vec<[i64; 2]>, capacity_per_day: Option<f64> },
}

/// One entry of `[segments]`: settings for every position of an ABC×XYZ segment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    pub policy: Option<S<Value>>,
    pub initial_on_hand: Option<S<Value>>,
}
