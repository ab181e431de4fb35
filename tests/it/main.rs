//! Integration tests of echelon: one test binary (STYLE.md habit 13) with a module per concern.
//!
//! - `api`: the `Simulation` builder: replication ranges, progress and cancellation;
//! - `channels`: online routing, ship-from-store protection, BOPIS, marketplace pools (issue 13);
//! - `routed`: nodes plan for the online demand they ship — each routing rule's share, levels,
//!   forecasts and push as for the same demand at the counter; siloed stores do not (issue 14);
//! - `records`: inventory records — the freeze, the lag, routing on the record, conservation (issue 14);
//! - `regions`: region scopes sum their locations; none without regions; shards, `report` and
//!   `compare --scope region:NAME` (issue 15);
//! - `fit`: demand fitted from generated sales histories recovers what generated them; censoring;
//!   bad sales.csv cells; the fitted demand.csv runs (issue 15);
//! - `golden`: simulated KPI means against closed forms (tests/REFERENCE.md);
//! - `traces`: hand-computed day-by-day traces, cell by cell;
//! - `determinism`: same seed, same bytes, for any thread count;
//! - `digest`: the bytes of one small shipped run, pinned by a hash (dependency drift);
//! - `props`: invariants on random small networks (proptest);
//! - `regressions`: the bugs the property tests found, each with the scenario that showed it;
//! - `cli`: the binary — bad input, outputs, help;
//! - `experiments`: compare (common random numbers), sweep, size (against theory), and their
//!   commands;
//! - `numbers`: flows at any magnitude, undefined KPIs, the resilience baseline, output size;
//! - `gallery`: every file in `scenarios/` runs, and each teaching lesson's claim holds.
//! - `generate`: `echelon generate`'s tables follow the tables contract, validate, are the same
//!   bytes for a seed; its sales history is sorted, in range and drawn from its demand;
//! - `docs`: every figure quoted in README.md, scenarios/README.md and the winter-jackets header
//!   is what the command quoted beside it gives;
//! - `print`: every table of every report.html fits a screen and an A4 page (headless chromium);
//! - `report`: the chart files (valid PNG and SVG) and the self-contained `report.html` of run,
//!   compare, sweep and size;
//! - `strategies`: each allocation strategy's defining behaviour (push, JIT, tiers, rationing
//!   rules, transfers, forecasts, reserves, segments), by hand-computed traces and comparisons;
//! - `input`: warnings for input that runs but is probably not meant (windows outside the
//!   horizon, yearly holding rates), errors at the cause for ambiguous `--set` paths, bad bytes,
//!   deep nesting and magnitudes the arithmetic cannot carry;
//! - `shards`: runs, comparisons and sweeps split into shards merge into exactly the one-process
//!   files; bad shard sets are refused; `report` redraws from saved results; ranges merge exactly;
//! - `positions`: positions.csv agrees with the position scopes; above 10,000 positions it alone has
//!   them, shards merge into its bytes, `size` refuses and `check` shortens (issue 15);
//! - `tables`: `[tables]` — a network as TOML and as CSV gives the same bytes (strategies and
//!   `--set` included), tables travel with shards, bad tables are exit 2 at `file.csv:ROW:COL`;
//! - `stress`: stress features against hand-computed exact results (outages, Markov supplier,
//!   promotions, delays, capacity, trend, shocks, common factors, named stress overlays).

mod api;
mod channels;
mod cli;
mod common;
mod determinism;
mod digest;
mod docs;
mod experiments;
mod fit;
mod gallery;
mod generate;
mod golden;
mod input;
mod numbers;
mod positions;
mod print;
mod props;
mod records;
mod regions;
mod regressions;
mod report;
mod routed;
mod shards;
mod strategies;
mod stress;
mod tables;
mod traces;
