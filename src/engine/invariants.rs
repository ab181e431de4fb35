//! Invariants of the day loop, checked at the end of every day in builds with debug assertions
//! (tests); release builds compile them away.
//!
//! - stocks are never negative: on hand, customer backorders, in transit, owed either way;
//! - units in transit to a position are the units in its pipeline ring (every shipment and
//!   transfer enters both, every arrival leaves both), and the same for orders in the mail;
//! - what a source owes its children is what they are owed by it (orders and pushes add to
//!   both ends, shipments take from both).
//!
//! Continuous quantities carry rounding noise, so comparisons allow 1e-7 of the magnitudes.

use super::State;
use crate::model::Model;

/// Tolerance for comparing quantities of magnitude `scale`.
fn tol(scale: f64) -> f64 {
    1e-7 * (1.0 + scale.abs())
}

/// Checks every invariant for every lane (see the module docs); panics with the position, lane
/// and day on the first that fails.
pub(super) fn check<const L: usize>(m: &Model, st: &State<L>, t: usize) {
    let n = m.n_pos();
    for (q, s) in st.stocks.iter().enumerate() {
        for l in 0..L {
            let scale = s.on_hand[l].abs() + s.in_transit[l].abs() + s.owed_in[l].abs() + s.owed_out[l].abs();
            let scale = scale + m.stock.initial[q].abs() + s.cust_bo[l].abs();
            for (what, x) in [
                ("on hand", s.on_hand[l]),
                ("customer backorders", s.cust_bo[l]),
                ("in transit", s.in_transit[l]),
                ("owed in", s.owed_in[l]),
                ("owed out", s.owed_out[l]),
                ("in the mail", s.in_mail[l]),
            ] {
                assert!(x >= -tol(scale), "{what} of position {q} is {x} (lane {l}, day {t})");
            }
            let ring: f64 = (0..m.processes.ring_len).map(|k| st.ring[k * n + q][l]).sum();
            assert!(
                (ring - s.in_transit[l]).abs() <= tol(scale + ring),
                "position {q}: {} in transit but {ring} in its pipeline (lane {l}, day {t})",
                s.in_transit[l]
            );
            if !st.mail.is_empty() {
                let mail: f64 = (0..m.processes.ring_len).map(|k| st.mail[k * n + q][l]).sum();
                assert!(
                    (mail - s.in_mail[l]).abs() <= tol(scale + mail),
                    "position {q}: {} in the mail but {mail} in its mail ring (lane {l}, day {t})",
                    s.in_mail[l]
                );
            }
        }
    }
    for g in m.topo.groups.iter().filter(|g| !g.stock_pos.is_none()) {
        let src = &st.stocks[g.stock_pos.idx()];
        for l in 0..L {
            let owed: f64 = (g.lo..g.hi).map(|c| st.stocks[c as usize].owed_in[l]).sum();
            assert!(
                (owed - src.owed_out[l]).abs() <= tol(owed + src.owed_out[l]),
                "position {} owes {} but its children are owed {owed} (lane {l}, day {t})",
                g.stock_pos.0,
                src.owed_out[l]
            );
        }
    }
}
