//! Replenishment rules: how much a position orders given its inventory position.

use super::PolicyKind;

/// Order quantity of a rule for inventory position `ip` (and echelon inventory position `eip`,
/// used only by echelon base-stock), before rounding and caps. Triggers (DESIGN.md §2):
/// base-stock orders S − IP when IP < S; (s, S) orders S − IP when IP ≤ s; (r, Q) orders the
/// smallest multiple of Q that lifts IP above r when IP ≤ r.
#[inline(always)]
pub fn order_quantity(kind: PolicyKind, ip: f64, eip: f64) -> f64 {
    // Multiplied by 0 or 1 rather than branched on: whether a position orders today is close
    // to a coin flip, which a branch predictor cannot learn.
    let when = |trigger: bool, q: f64| q * f64::from(u8::from(trigger));
    // Base-stock orders only a shortfall above rounding noise, so continuous quantities never
    // produce phantom orders of 1e-15 units (which would count as order days).
    let short = |level: f64, x: f64| level - x > 1e-9 * level.abs().max(1.0);
    match kind {
        PolicyKind::BaseStock { level } => when(short(level, ip), level - ip),
        PolicyKind::SS { s, big_s } => when(ip <= s, big_s - ip),
        // (r − IP)/Q ≥ 0 whenever the trigger holds, so truncation is the floor (and cheaper
        // than a call to floor on processors without SSE4.1).
        PolicyKind::RQ { r, q } => when(ip <= r, (((r - ip) / q) as i64 as f64 + 1.0) * q),
        PolicyKind::EchelonBaseStock { level } => when(short(level, eip), level - eip),
        PolicyKind::None => 0.0,
    }
}

/// The rule as "order `up_to − IP` when `IP ≤ trigger`", if it has that form: base-stock S is
/// (S − tolerance, S) — the tolerance is the one of [`order_quantity`] — and (s, S) is (s, S).
/// The day loop applies this form to many replications at once without branching.
pub fn threshold_form(kind: PolicyKind) -> Option<(f64, f64)> {
    match kind {
        PolicyKind::BaseStock { level } => Some((level - 1e-9 * level.abs().max(1.0), level)),
        PolicyKind::SS { s, big_s } => Some((s, big_s)),
        PolicyKind::RQ { .. } | PolicyKind::EchelonBaseStock { .. } => None,
        PolicyKind::None => Some((f64::NEG_INFINITY, 0.0)),
    }
}

/// The same rule for whole-unit stock: with integer inventory positions, `IP < S` is `IP < ⌈S⌉`
/// and `IP ≤ s` is `IP ≤ ⌊s⌋`, so rounding the levels once makes every order a whole number
/// without rounding inside the day loop. Batches are rounded up to at least one unit.
pub fn whole_units(kind: PolicyKind) -> PolicyKind {
    let up = |x: f64| (x - 1e-9).ceil();
    let down = |x: f64| (x + 1e-9).floor();
    match kind {
        PolicyKind::BaseStock { level } => PolicyKind::BaseStock { level: up(level) },
        PolicyKind::EchelonBaseStock { level } => PolicyKind::EchelonBaseStock { level: up(level) },
        PolicyKind::SS { s, big_s } => PolicyKind::SS { s: down(s), big_s: up(big_s) },
        PolicyKind::RQ { r, q } => PolicyKind::RQ { r: down(r), q: up(q).max(1.0) },
        PolicyKind::None => PolicyKind::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_and_quantities() {
        let bs = PolicyKind::BaseStock { level: 10.0 };
        assert_eq!(order_quantity(bs, 10.0, 0.0), 0.0);
        assert_eq!(order_quantity(bs, 7.0, 0.0), 3.0);
        assert_eq!(order_quantity(bs, -2.0, 0.0), 12.0);
        let ss = PolicyKind::SS { s: 4.0, big_s: 10.0 };
        assert_eq!(order_quantity(ss, 5.0, 0.0), 0.0);
        assert_eq!(order_quantity(ss, 4.0, 0.0), 6.0);
        let rq = PolicyKind::RQ { r: 8.0, q: 22.0 };
        assert_eq!(order_quantity(rq, 9.0, 0.0), 0.0);
        assert_eq!(order_quantity(rq, 8.0, 0.0), 22.0);
        // IP = -20: one batch gives 2 (not above 8), two give 24.
        assert_eq!(order_quantity(rq, -20.0, 0.0), 44.0);
        let ech = PolicyKind::EchelonBaseStock { level: 30.0 };
        assert_eq!(order_quantity(ech, 100.0, 25.0), 5.0);
    }

    #[test]
    fn whole_unit_levels_give_the_same_decisions_on_integers() {
        let kinds = [
            PolicyKind::BaseStock { level: 56.604 },
            PolicyKind::SS { s: 4.5, big_s: 10.2 },
            PolicyKind::RQ { r: 8.7, q: 22.0 },
        ];
        for k in kinds {
            let w = whole_units(k);
            for ip in -40..80 {
                let ip = f64::from(ip);
                let exact = order_quantity(k, ip, 0.0);
                let whole = order_quantity(w, ip, 0.0);
                assert_eq!(whole, if exact > 0.0 { (exact - 1e-9).ceil() } else { 0.0 }, "{k:?} at {ip}");
            }
        }
    }
}
