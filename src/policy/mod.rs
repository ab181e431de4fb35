//! Replenishment policies: base-stock, (s, S), (r, Q), echelon base-stock, and stock levels.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod step;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use compile::{PosRt, set_levels};
pub use step::{order_quantity, threshold_form, whole_units};
// Validated types this concept owns, as the scenario defines them today.

// ---- validated types (scenario side) ----

use crate::forecast::Forecast;
use crate::leadtime::LeadTime;

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

    /// One-line description with each level written by `level(value, index of the level)`
    /// (e.g. `(s, S) = (8, 28)`), as `check` prints it.
    pub fn describe(&self, level: impl Fn(f64, usize) -> String) -> String {
        match *self {
            PolicyKind::BaseStock { level: l } => format!("base_stock S = {}", level(l, 0)),
            PolicyKind::EchelonBaseStock { level: l } => format!("echelon_base_stock S = {}", level(l, 0)),
            PolicyKind::SS { s, big_s } => format!("(s, S) = ({}, {})", level(s, 0), level(big_s, 1)),
            PolicyKind::RQ { r, q } => format!("(r, Q) = ({}, {})", level(r, 0), level(q, 1)),
            PolicyKind::None => "no orders (stock is pushed to it)".to_string(),
        }
    }

    /// The rule's levels in the order [`PolicyKind::describe`] numbers them (S; s, S; r, Q).
    pub fn levels(&self) -> [f64; 2] {
        match *self {
            PolicyKind::BaseStock { level } | PolicyKind::EchelonBaseStock { level } => [level, 0.0],
            PolicyKind::SS { s, big_s } => [s, big_s],
            PolicyKind::RQ { r, q } => [r, q],
            PolicyKind::None => [0.0, 0.0],
        }
    }

    /// The level a safety-stock search moves: S of base-stock, s of (s, S), r of (r, Q).
    pub fn searched_level(&self) -> f64 {
        match *self {
            PolicyKind::BaseStock { level } | PolicyKind::EchelonBaseStock { level } => level,
            PolicyKind::SS { s, .. } => s,
            PolicyKind::RQ { r, .. } => r,
            PolicyKind::None => 0.0,
        }
    }

    /// This rule with its searched level set to `x` (S − s and Q kept).
    pub fn with_searched_level(&self, x: f64) -> PolicyKind {
        match *self {
            PolicyKind::BaseStock { .. } => PolicyKind::BaseStock { level: x },
            PolicyKind::EchelonBaseStock { .. } => PolicyKind::EchelonBaseStock { level: x },
            PolicyKind::SS { s, big_s } => PolicyKind::SS { s: x, big_s: x + (big_s - s) },
            PolicyKind::RQ { q, .. } => PolicyKind::RQ { r: x, q },
            PolicyKind::None => PolicyKind::None,
        }
    }

    /// Demand per replenishment cycle (the fill-rate formula's cycle), for a position with this
    /// mean daily demand and review period.
    pub fn cycle_demand(&self, mean_daily: f64, review_days: u32) -> f64 {
        match *self {
            PolicyKind::BaseStock { .. } | PolicyKind::EchelonBaseStock { .. } => mean_daily * f64::from(review_days),
            PolicyKind::SS { s, big_s } => big_s - s,
            PolicyKind::RQ { q, .. } => q,
            PolicyKind::None => mean_daily,
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
