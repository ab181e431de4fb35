//! Replenishment policies, compiled: what the day loop reads for one position (its rule, the
//! rule's branch-free threshold form, review cycle, cap and links).

use super::{LevelSpec, Policy, PolicyKind, threshold_form, whole_units};
use crate::model::NONE;

/// What the day loop reads for one position, packed together: its policy and links.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PosRt {
    /// Rule and levels.
    pub kind: PolicyKind,
    /// Order cap (∞ if none).
    pub max_order: f64,
    /// Review period in days.
    pub review_days: u32,
    /// Review phase.
    pub review_offset: u32,
    /// Parent position, or NONE when the source is an external supplier.
    pub parent: u32,
    /// Slot for location daily totals (see `loc_day_slot`).
    pub day_slot: u32,
    /// The rule in threshold form (`policy::threshold_form`): order `up_to − IP` when
    /// `IP ≤ trigger`; `simple` is false for rules without that form.
    pub trigger: f64,
    /// Order-up-to level of the threshold form.
    pub up_to: f64,
    /// Whether the rule has the threshold form with fixed levels and orders reach the source the
    /// same day (the fast path).
    pub simple: bool,
    /// Days its orders take to reach the source (0 = the same day).
    pub order_delay: u32,
    /// Index of its forecast-driven levels in `Allocation::dyn_levels`, or NONE.
    pub dynamic: u32,
}

impl PosRt {
    /// Compiles a position's policy; whole-unit positions get whole levels and caps
    /// ([`whole_units`]).
    pub fn new(policy: &Policy, whole: bool, parent: u32, order_delay: u32) -> PosRt {
        let max_order = policy.max_order.unwrap_or(f64::INFINITY);
        let mut rt = PosRt {
            kind: policy.kind,
            review_days: policy.review_days,
            review_offset: policy.review_offset,
            max_order: if whole { max_order.floor().max(1.0) } else { max_order },
            parent,
            day_slot: 0,
            trigger: 0.0,
            up_to: 0.0,
            simple: false,
            order_delay,
            dynamic: NONE,
        };
        rt.set_kind(if whole { whole_units(policy.kind) } else { policy.kind });
        rt
    }

    /// Sets the rule and its threshold form.
    pub fn set_kind(&mut self, kind: PolicyKind) {
        self.kind = kind;
        match threshold_form(kind) {
            Some((trigger, up_to)) => (self.trigger, self.up_to, self.simple) = (trigger, up_to, true),
            None => (self.trigger, self.up_to, self.simple) = (f64::NEG_INFINITY, 0.0, false),
        }
        self.simple &= self.order_delay == 0 && self.dynamic == NONE;
    }
}

/// Rewrites a validated policy to rule `kind` with its levels in units, as if the file had
/// said so (what `Model::set_policy` runs with, kept in its scenario).
pub fn set_levels(policy: &mut Policy, kind: PolicyKind) {
    let values = kind.levels();
    if policy.kind.name() != kind.name() {
        // Another rule: its parameters are not the ones the specs were written for.
        policy.specs.clear();
    }
    for ((_, spec), v) in policy.specs.iter_mut().zip(values) {
        *spec = LevelSpec::Units(v);
    }
    policy.kind = kind;
}
