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
pub use crate::scenario::{LevelSpec, Policy, PolicyKind, resolve_level};

// ---- validated types (scenario side) ----
