//! Replenishment policies: base-stock, (s, S), (r, Q), echelon base-stock, and stock levels.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod step;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use step::{order_quantity, threshold_form, whole_units};

// ---- validated types (scenario side) ----
