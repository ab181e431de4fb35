//! Memory does not grow with the replications (issue 11): a counting global allocator measures
//! the peak of bytes allocated while a run goes, at two replication counts.
//!
//! A test binary of its own (not a module of `tests/it`), because the allocator counts the whole
//! process: no other test may allocate while it measures (its tests take turns).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use echelon::runner::Keep;
use echelon::simulation::Simulation;
use echelon::{Model, Scenario};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let now = NOW.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            NOW.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const NETWORK: &str = r#"
[simulation]
days = 60
[[skus]]
id = "a"
holding_cost = 1
stockout_cost = 4
[[skus]]
id = "b"
holding_cost = 2
stockout_cost = 9
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = { type = "poisson", mean = 3 }
policy = { type = "base_stock", level = 90 }
[[locations]]
id = "s1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "s_S", s = 8, S = 20 }
[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "base_stock", level = 14 }
[[locations]]
id = "s3"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "r_Q", r = 9, Q = 10 }
[[demand]]
location = "s1"
sku = "a"
distribution = { type = "poisson", mean = 4 }
[[demand]]
location = "s2"
sku = "b"
distribution = { type = "normal", mean = 5, sd = 2 }
[[demand]]
location = "s3"
sku = "a"
distribution = { type = "poisson", mean = 3 }
"#;

/// The allocator counts the whole process: tests measure one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Peak bytes allocated above the level before `f`, while it runs.
fn peak_of(f: impl FnOnce()) -> usize {
    let before = NOW.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - before
}

/// From 4,000 to 40,000 replications the peak grows by the network's kept values (8 bytes per
/// KPI and replication) and little else, while keeping every scope would grow it tenfold more.
#[test]
fn peak_memory_is_flat_in_replications() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let m = Model::compile(&Scenario::parse("memory.toml", NETWORK).unwrap());
    let run = |reps: u64, keep: Keep| {
        peak_of(|| {
            let r = Simulation::new(&m).threads(2).replications(0..reps).keep(keep).run().unwrap();
            std::hint::black_box(r.summaries());
        })
    };
    let (small, large) = (run(4_000, Keep::Network), run(40_000, Keep::Network));
    let kpis = echelon::kpi::Kpi::COUNT;
    let network = 36_000 * kpis * 8;
    let growth = large.saturating_sub(small);
    // The network's values, plus the sketches' windows (bounded: at most 16 KB a sign per
    // series, far less here) and the scratch of its summary.
    let series = echelon::runner::scopes_of(&m).len() * kpis;
    assert!(
        growth <= 2 * network + series * 1024,
        "peak {small} B at 4,000 replications, {large} B at 40,000: grew {growth} B (network values {network} B)"
    );
    let all = run(40_000, Keep::All).saturating_sub(run(4_000, Keep::All));
    assert!(all > 5 * growth, "keeping every scope grows by {all} B, streaming by {growth} B");
}

/// A retailer's 100,000 positions (issue 15): a generated chain of 1,000 stores × 100 SKUs
/// (104,000 positions with the DCs') runs within the memory budget `echelon run` checks before
/// it starts, and loading its tables costs a bounded amount per position.
#[test]
fn a_hundred_thousand_positions_stay_within_the_budget() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let spec = echelon::generate::Spec { stores: 1000, skus: 100, days: 0, replications: 2, ..Default::default() };
    echelon::generate::build(&spec).unwrap().write(dir.path()).unwrap();
    let file = dir.path().join("scenario.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("days = 365", "days = 30", 1)).unwrap();
    let mut sc = None;
    let load = peak_of(|| sc = Some(Scenario::load(&file).unwrap()));
    let m = Model::compile(&sc.take().unwrap());
    let n = m.n_pos();
    assert_eq!(n, 104_000);
    // Loading builds the rows as TOML entries before validating them: about 5 KB a position at
    // its peak (measured 4.7 KB here), freed when the scenario is built.
    assert!(load < 6_000 * n, "loading peaked at {load} B, {} B a position", load / n);
    let keeps = echelon::runner::budget::Keeps { csv: Some(false), extra_network_series: 0 };
    let budget = echelon::runner::budget::estimate(&m, 2, 2, keeps).total(2) as usize;
    let run = peak_of(|| {
        let r = Simulation::new(&m).threads(2).replications(0..2).run().unwrap();
        assert_eq!(r.positions.len(), n);
        std::hint::black_box(r.summaries());
    });
    println!("loading: {} B a position; run: {run} B of a {budget} B budget", load / n);
    assert!(run <= budget, "the run peaked at {run} B, above its budget of {budget} B");
}
