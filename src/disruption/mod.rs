//! Disruptions: supplier outages (Markov and scheduled) and transport delays.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod step;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use compile::{DelayRt, DisruptionRt};
// Validated types this concept owns, as the scenario defines them today.

// ---- validated types (scenario side) ----

use crate::distribution::Dist;

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
