//! Regression tests for bugs the property tests (`props`) found, each with the smallest scenario
//! that showed it. A bug that made a run loop forever is run on a thread with a deadline, so that
//! a regression fails the test instead of hanging CI.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use echelon::kpi::Kpi;
use echelon::runner::Scope;

use crate::common::*;

/// Runs the replications of the scenario `text` on a thread and returns the network's
/// `units_transferred` per replication; fails if the run takes longer than `secs` seconds (the
/// stuck thread is left behind: the test binary exits without it).
fn transfers_within(text: &str, secs: u64) -> Vec<f64> {
    let m = model(text);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let r = run_model(&m);
        let s = r.scope_index(Scope::Network).expect("network scope");
        let _ = tx.send(r.series(s, Kpi::UnitsTransferred).to_vec());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("the run did not finish within {secs} s: a loop that never ends")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the run panicked"),
    }
}

/// Issue 12: `[rebalancing]` with continuous demand looped forever in the transfer loop of
/// `rebalance`. After a taker was sent its need, the need was recomputed from its stocks, and
/// the rounding of on hand + in transit could leave a residual below the resolution of that sum:
/// each further transfer of the residual left the sum unchanged, so the residual never reached
/// zero. Found by the property tests; store-0 (base-stock far below its cover target) takes from
/// store-1 (r_Q far above it) on most days, and one of the first replications of seed 1 hit it.
#[test]
fn rebalancing_with_continuous_demand_terminates() {
    const HANG: &str = r#"
[simulation]
days = 30
replications = 20
seed = 1

[[skus]]
id = "a"
unit_cost = 5.0
price = 8.0
holding_cost = 0.1
stockout_cost = 1.5

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store-0"
type = "store"
source = "supplier"
lead_time = 3
policy = { type = "base_stock", level = 17.95 }

[[locations]]
id = "store-1"
type = "store"
source = "supplier"
lead_time = 3
policy = { type = "r_Q", r = 71.3, Q = 45, review_days = 5 }

[[demand]]
location = "store-0"
distribution = { type = "normal", mean = 10.94, sd = 2.335 }

[[demand]]
location = "store-1"
distribution = { type = "uniform", min = 5.297, max = 5.339 }

[rebalancing]
review_days = 1
trigger_days = 2.7
target_days = 5.0
lead_time = 3
within = "source"
"#;
    let moved = transfers_within(HANG, 60);
    assert_eq!(moved.len(), 20);
    assert!(
        moved.iter().all(|&x| x.is_finite() && x > 0.0),
        "store-1 gives to store-0 in every replication: {moved:?}"
    );
}
