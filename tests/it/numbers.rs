//! Numbers a planner can trust (issue 12): flows that stay right at any magnitude, KPIs that
//! are undefined rather than 0, the resilience baseline, and outputs that stay small and claim
//! no more than the run supports.

use echelon::kpi::Kpi;
use echelon::runner::Scope;

use crate::common::*;

/// One store with a stock level of 1e11 units selling `demand` a day for ten days.
fn huge_stock(demand: &str) -> String {
    format!(
        r#"
[simulation]
days = 10
replications = 2
seed = 5

[[skus]]
id = "item"
unit_cost = 10.0
price = 15.0
holding_cost = 0.001
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = {{ type = "base_stock", level = 1e11 }}

[[demand]]
location = "store"
distribution = {demand}
"#
    )
}

/// Issue 12: with `level = 1e11` units sold and ordered, turnover and sell-through came out 0,
/// because derived flows were zeroed below 1e-9 × the stock magnitude. A base-stock store that
/// never runs short sells its demand and orders it back, whatever its stock.
#[test]
fn flows_stay_right_beside_a_huge_stock() {
    for demand in ["{ type = \"constant\", value = 10 }", "{ type = \"normal\", mean = 10.5, sd = 2.0 }"] {
        let m = model(&huge_stock(demand));
        let r = run_model(&m);
        for rep in 0..2 {
            let at = |k: Kpi| r.series(r.scope_index(Scope::Network).unwrap(), k)[rep];
            let dem = at(Kpi::UnitsDemanded);
            assert!(dem > 5.0, "{demand}: demand {dem}");
            assert!(close(at(Kpi::UnitsSold), dem, 1e-12), "{demand}: sold {} vs demand {dem}", at(Kpi::UnitsSold));
            // Every day's demand is ordered back the same day (IP = S − today's demand); the
            // engine's own order quantity S − IP carries the rounding of 1e11 (about 1e-5).
            assert!(close(at(Kpi::UnitsOrdered), dem, 1e-5), "{demand}: ordered {}", at(Kpi::UnitsOrdered));
            // Turnover: sold × 365 ÷ average on hand (≈ 1e11).
            let turnover = at(Kpi::InventoryTurnover);
            assert!(close(turnover, dem * 365.0 / 1e11, 1e-6), "{demand}: turnover {turnover}");
            // Sell-through: sold ÷ (initial + received): received = all but the last day's order.
            let st = at(Kpi::SellThrough);
            assert!(close(st, dem * 10.0 / 1e11, 1e-6), "{demand}: sell-through {st}");
        }
    }
}

/// README: `gmroi` is null where there is no customer demand (it was 0 for a store whose
/// demand was all zeros).
#[test]
fn gmroi_is_undefined_without_customer_demand() {
    let m = model(&huge_stock("{ type = \"constant\", value = 0 }"));
    let r = run_model(&m);
    for scope in [Scope::Network, Scope::Location(loc(&m, "store"))] {
        let g = r.series(r.scope_index(scope).unwrap(), Kpi::Gmroi);
        assert!(g.iter().all(|x| x.is_nan()), "gmroi of {scope:?} without demand: {g:?}");
    }
}

/// A store whose supplier is down on measured days 3–8, after `warmup` warm-up days.
fn early_outage(warmup: usize) -> String {
    format!(
        r#"
[simulation]
days = 60
warmup_days = {warmup}
replications = 1
seed = 2

[[skus]]
id = "item"
unit_cost = 10.0
price = 15.0
holding_cost = 0.1
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"
disruption = {{ type = "scheduled", windows = [[3, 8]] }}

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = {{ type = "base_stock", level = 12 }}

[[demand]]
location = "store"
distribution = {{ type = "constant", value = 10 }}
"#
    )
}

/// Issue 12: resilience KPIs were missing when the first disruption started on measured days
/// 0–6. The baseline now reaches into the warm-up (README, "Stress"); without enough days
/// before the disruption the KPIs stay undefined, as documented.
#[test]
fn resilience_baseline_of_an_early_disruption() {
    // Without warm-up: 3 days before the outage, fewer than the 7 a baseline needs.
    let r = run_model(&model(&early_outage(0)));
    let ttr = kpi1(&r, Scope::Network, Kpi::TimeToRecover);
    assert!(ttr.is_nan(), "no baseline, yet time to recover {ttr}");
    assert!(kpi1(&r, Scope::Network, Kpi::Recovered).is_nan());

    // With 25 warm-up days at full service the level is 100 %. The store (S = 12, demand 10,
    // lead time 1) has 2 units left when the supplier stops after day 2: nothing is served on
    // days 3–8 and day 9's arrival is the order of day 8's backlog; the trailing 7-day fill
    // rate is back at 100 % once the last short day leaves the window.
    let r = run_model(&model(&early_outage(25)));
    let ttr = kpi1(&r, Scope::Network, Kpi::TimeToRecover);
    assert!(ttr.is_finite() && ttr > 6.0, "time to recover {ttr}");
    assert_eq!(kpi1(&r, Scope::Network, Kpi::Recovered), 1.0);
    assert!(kpi1(&r, Scope::Network, Kpi::PeakBacklog) > 0.0);
    assert!(kpi1(&r, Scope::Network, Kpi::DisruptionLostRevenue) > 0.0);
}

/// A whole-unit store with a fractional level and its own holding cost.
const LEVELS: &str = r#"
[simulation]
days = 30
replications = 1
seed = 1

[[skus]]
id = "item"
unit_cost = 10.0
price = 15.0
holding_cost = 0.18
stockout_cost = 0.70

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 2
holding_cost = 0.5
policy = { type = "s_S", s = 20.4, S = 61.2 }

[[demand]]
location = "store"
distribution = { type = "poisson", mean = 12 }
"#;

/// `check` shows the levels the simulation uses — whole-unit levels rounded as the engine
/// rounds them (S up, s down) — and the location's cost override beside the SKU's.
#[test]
fn check_shows_the_levels_used_and_cost_overrides() {
    let text = echelon::report::check::check_text(&scenario(LEVELS), "levels.toml");
    let line = text.lines().find(|l| l.contains("(s, S)")).unwrap_or_else(|| panic!("no policy line:\n{text}"));
    assert!(line.contains("20 (= rounded to whole units from 20.4)"), "{line}");
    assert!(line.contains("62 (= rounded to whole units from 61.2)"), "{line}");
    assert!(line.contains("holding 0.5/unit-day here (SKU 0.18)"), "{line}");
    assert!(!line.contains("stockout"), "no override of the stockout cost: {line}");
}

/// One replication: the terminal table shows its values and claims no 90 % range, no
/// histogram is drawn (a note says why), and every line fits 80 columns.
#[test]
fn one_replication_claims_no_spread() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("levels.toml"), LEVELS).unwrap();
    let out = echelon_in(dir.path()).args(["run", "levels.toml", "--out", "out"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("1 replication × 30 days"), "{stdout}");
    assert!(!stdout.contains("90 %") && !stdout.contains('['), "a range from one replication:\n{stdout}");
    assert!(stdout.contains("one replication: no spread"), "{stdout}");
    // The table (not the list of files written) fits 80 columns.
    for line in stdout.lines().filter(|l| !l.starts_with("wrote ")) {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
    }
    let files: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!files.iter().any(|f| f.starts_with("hist_")), "one-bar histograms drawn: {files:?}");
    assert!(format!("{stdout}{stderr}").contains("one replication has no spread"), "no note:\n{stdout}{stderr}");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("– (one replication)"), "report.html claims a range or CI");
}

/// The flagship's run and compare tables fit 80 columns (titles wrap; compare puts each paired
/// difference under its variant's range).
#[test]
fn run_and_compare_tables_fit_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let wj = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/winter-jackets.toml");
    let run = ["run", wj, "--replications", "4", "--no-plots", "--out", "run"];
    let compare = ["compare", wj, "--replications", "3", "--out", "cmp"];
    for args in [&run[..], &compare[..]] {
        let out = echelon_in(dir.path()).args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.lines().count() > 10, "{stdout}");
        for line in stdout.lines().filter(|l| !l.starts_with("wrote ")) {
            assert!(line.chars().count() <= 80, "{}: wider than 80 columns: {line}", args[0]);
        }
    }
}

/// Issue 12: `--days 10000000` on the newsvendor wrote 796 MB SVGs and a 1.6 GB report. Day
/// records past a few thousand days are weekly means, so a 100,000-day run's charts and page
/// stay small.
#[test]
fn charts_stay_small_for_a_long_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let nv = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/newsvendor.toml");
    let out = echelon_in(dir.path())
        .args(["run", nv, "--days", "100000", "--replications", "8", "--quiet", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut svgs = 0;
    for e in std::fs::read_dir(dir.path().join("out")).unwrap() {
        let e = e.unwrap();
        let (name, size) = (e.file_name().into_string().unwrap(), e.metadata().unwrap().len());
        if name.ends_with(".svg") {
            svgs += 1;
            assert!(size < 1 << 20, "{name} is {size} bytes");
        }
        if name == "report.html" {
            assert!(size < 4 << 20, "report.html is {size} bytes");
        }
    }
    assert!(svgs > 0, "no charts drawn");
}
