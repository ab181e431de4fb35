//! # echelon — a Monte Carlo simulator of inventory networks
//!
//! echelon simulates a network of suppliers, warehouses and stores day by day, with stochastic
//! demand and lead times, supplier disruptions and a replenishment or allocation strategy, and
//! runs many replications in parallel to report KPI *distributions*: fill rate, stockout rate,
//! inventory, costs, turnover, GMROI, bullwhip.
//!
//! ## A two-location example
//!
//! A store orders from an external supplier with a one-day lead time and keeps a base-stock
//! level of 56.604 units against N(50, 8²) daily demand — the textbook newsvendor, whose
//! expected fill rate is 0.9816:
//!
//! ```
//! use echelon::kpi::Kpi;
//! use echelon::runner::{run, Progress, RunOptions, Scope};
//! use echelon::{Model, Scenario};
//!
//! let text = r#"
//! [simulation]
//! days = 2000
//! warmup_days = 20
//! replications = 16
//! seed = 7
//!
//! [[skus]]
//! id = "item"
//! holding_cost = 0.18
//! stockout_cost = 0.70
//!
//! [[locations]]
//! id = "supplier"
//! type = "supplier"
//!
//! [[locations]]
//! id = "store"
//! type = "store"
//! source = "supplier"
//! lead_time = 1
//! policy = { type = "base_stock", level = 56.604 }
//!
//! [[demand]]
//! location = "store"
//! distribution = { type = "normal", mean = 50, sd = 8 }
//! "#;
//!
//! // TOML -> validated scenario -> compiled model (flat arrays, samplers built once).
//! let scenario = Scenario::parse("newsvendor.toml", text)?;
//! let model = Model::compile(&scenario);
//!
//! // Replications run in parallel; results come back in replication order.
//! let result = run(&model, &RunOptions::from_model(&model), &Progress::hidden());
//! let summaries = result.summaries();
//! let network = result.scope_index(Scope::Network).unwrap();
//! let fill = summaries[network][Kpi::FillRate as usize].as_ref().unwrap();
//! assert!((fill.mean - 0.9816).abs() < 4.0 * fill.se + 0.002);
//! # Ok::<(), echelon::scenario::ScenarioError>(())
//! ```
//!
//! ## How the pieces fit
//!
//! Data flows one way: [`scenario`] (TOML → validated [`Scenario`]) → [`model`] (compiled
//! [`Model`]) → [`engine`] (one replication, no I/O, no allocation per day) → [`kpi`]
//! (accumulators and KPI definitions) → [`runner`] (replications in parallel) → [`stats`]
//! (summaries across replications) → [`report`] (files and tables). A program drives a run
//! through [`Simulation`]: seed, threads, a replication range, progress and cancellation.

#![warn(missing_docs)]
// The engine and the compiler index several parallel flat arrays (structure of arrays) by the
// same position or location number; a loop over the index reads better than a zip of four.
#![allow(clippy::needless_range_loop)]

pub mod allocation;
pub mod calendar;
pub mod channel;
pub mod demand;
pub mod disruption;
pub mod distribution;
pub(crate) mod engine;
pub mod experiment;
pub mod fit;
pub mod forecast;
pub mod generate;
pub mod kpi;
pub mod leadtime;
pub mod model;
pub mod network;
pub(crate) mod pages;
pub mod policy;
pub mod records;
pub mod report;
pub mod results;
pub(crate) mod rng;
pub mod runner;
pub mod scenario;
pub mod simulation;
pub mod stats;

pub use model::Model;
pub use scenario::Scenario;
pub use simulation::Simulation;
