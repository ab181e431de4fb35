//! Scenario files: TOML → raw structures → a validated [`Scenario`] with ids resolved.
//!
//! Loading never panics. Every problem found is reported with the file, line and column, the key,
//! what was expected and how to fix it; see [`ScenarioError`].
//!
//! This module parses (`raw`), reads the CSV tables a file names (`tables`: their rows join the
//! document as entries), keeps spans and diagnostics (`diag`), applies strategy and stress
//! overlays and `--set` patches (`overlay`, `patch`), and checks the top-level entities
//! (simulation, SKUs, locations, positions) in named phases (`validate`). Each concept's table
//! is handed to its own folder: `demand/`, `disruption/`, `policy/`, `forecast/`,
//! `allocation/`, `leadtime/` hold the validated type and its `validate.rs`; checks shared by
//! every table (numbers, costs, distributions) are in `values`.

pub(crate) mod diag;
mod overlay;
mod patch;
mod positions;
pub(crate) mod raw;
pub mod sources;
pub(crate) mod tables;
mod validate;
pub(crate) mod values;

use std::path::Path;

/// Did-you-mean for names given on the command line (e.g. `--plot-locations`).
pub use diag::closest;
pub use diag::{Diagnostic, ScenarioError, Source};
pub use patch::Patch;

use crate::network::Network;

use crate::allocation::{Launch, Push, Rationing, Rebalancing, Reserve};
use crate::demand::{CommonFactor, Demand, Shock};
use crate::disruption::{Delay, Disruption};
use crate::leadtime::LeadTime;
use crate::policy::Policy;

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
    /// Holds no stock: its customers' orders are shipped from its `fulfil_from` nodes.
    Online,
    /// A dedicated stock pool at a third-party marketplace: stocked like a store, sells only
    /// on the platform.
    Marketplace,
}

impl LocationKind {
    /// Name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Supplier => "supplier",
            LocationKind::Warehouse => "warehouse",
            LocationKind::Store => "store",
            LocationKind::Online => "online",
            LocationKind::Marketplace => "marketplace",
        }
    }
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
    /// Channel keys: online routing, ship-from-store protection, BOPIS, marketplace costs.
    pub channel: crate::channel::LocationChannel,
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
    /// Expected daily customer demand here and below: walk-in and BOPIS (reports, protection).
    pub mean_daily_demand: f64,
    /// Standard deviation of daily customer demand here and below.
    pub sd_daily_demand: f64,
    /// Expected daily online demand this position and those below it plan to ship (see
    /// [`crate::channel::plan`]); 0 for positions that ship none.
    pub routed_daily_demand: f64,
    /// Variance of that daily online demand.
    pub routed_var: f64,
    /// ABC (volume) × XYZ (variability) segment of a customer-facing position, e.g. "AX".
    pub segment: Option<String>,
}

impl Position {
    /// Mean and variance of the daily demand the position plans for (levels in days of cover or
    /// service, push and launch weights): its customers' and the online demand routed to it.
    pub fn planned(&self) -> (f64, f64) {
        use crate::policy::validate::DemandStats;
        let own = DemandStats { mean: self.mean_daily_demand, var: self.sd_daily_demand.powi(2) };
        let st = own.plus(DemandStats { mean: self.routed_daily_demand, var: self.routed_var });
        (st.mean, st.var)
    }
}

/// The expected share of one online demand entry a fulfilment node ships (planning's estimate;
/// see [`crate::channel::plan`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoutedShare {
    /// Index of the online demand entry in `Scenario::demand`.
    pub demand: usize,
    /// The node's location index.
    pub node: usize,
    /// Share of the entry's units, in (0, 1].
    pub share: f64,
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
    /// Inventory records: shrinkage, receiving errors, cycle counts, visibility lag.
    pub records: crate::records::Records,
    /// The online demand each fulfilment node plans for (demand order).
    pub routed: Vec<RoutedShare>,
    /// Named strategies defined in the file (`[strategies.<name>]`), the default first.
    pub strategies: Vec<Named>,
    /// Named stress tests defined in the file (`[stress.<name>]`).
    pub stresses: Vec<Named>,
    /// The strategy applied, if any.
    pub strategy: Option<String>,
    /// The stress test applied, if any.
    pub stress: Option<String>,
    /// Things that run but are probably not what was meant (a window outside the horizon, a
    /// holding cost that looks like an annual rate), each at its file:line:col; the commands
    /// print them as `warning: ...` and reports show them.
    pub warnings: Vec<Diagnostic>,
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

impl Scenario {
    /// Loads a variant of a scenario file: patches, then a strategy and a stress test applied.
    pub fn load_variant(path: &Path, v: &Variant) -> Result<Scenario, ScenarioError> {
        validate::load_variant(&Source::read(path)?, v)
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
        Self::from_source(&Source::read(path)?, patches)
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

    /// Whether the scenario has any channel besides walk-in (then channel scopes are reported).
    pub fn has_channels(&self) -> bool {
        self.demand.iter().any(|d| d.channel != crate::channel::Channel::Store)
    }

    /// Whether a position faces customer demand.
    pub fn has_demand(&self, location: usize, sku: usize) -> bool {
        self.demand.iter().any(|d| d.location == location && d.sku == sku)
    }
}
