//! Input that runs but is probably not what was meant gets a warning; input the simulation
//! cannot carry, or that is ambiguous, is an error at its cause (exit 2). Each case runs the
//! real binary in a temporary folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use echelon::scenario::Scenario;

use crate::common::echelon_in;

/// A small valid scenario; the cases below add to it or replace a line of it.
const BASE: &str = r#"[simulation]
days = 365
replications = 2
seed = 1

[[skus]]
id = "item"
unit_cost = 10.0
holding_cost = 0.01
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = 20 }

[[demand]]
location = "store"
distribution = { type = "poisson", mean = 5 }
"#;

/// A shipped scenario file.
fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

/// Runs `echelon ARGS` in a fresh folder holding `x.toml` = `text`: (exit code, stderr).
fn run_on(text: &[u8], args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("x.toml"), text).unwrap();
    let out = echelon_in(dir.path()).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `check x.toml` on scenario text.
fn check(text: &str) -> (i32, String) {
    run_on(text.as_bytes(), &["check", "x.toml"])
}

/// 1-based line of the first line containing `marker`.
fn line_of(text: &str, marker: &str) -> usize {
    text.lines().position(|l| l.contains(marker)).expect("marker in the text") + 1
}

/// The outage that the issue saw silently ignored: days 400–420 of a 365-day run.
fn with_outage(first: i64, last: i64) -> String {
    BASE.replace(
        "type = \"supplier\"\n",
        &format!("type = \"supplier\"\ndisruption = {{ type = \"scheduled\", windows = [[{first}, {last}]] }}\n"),
    )
}

#[test]
fn a_stress_window_past_the_horizon_is_a_warning() {
    let path = shipped("jit-vs-push-disruption.toml");
    let p = path.to_str().unwrap();
    let (code, err) = run_on(b"", &["check", p, "--stress", "port-strike", "--days", "50"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning:") && err.contains("outside the measured horizon"), "{err}");
    assert!(err.contains("60–74") && err.contains("0–49"), "names the window and the horizon: {err}");
    assert_eq!(err.matches("warning:").count(), 1, "one warning, not one per location: {err}");
    // Without the stress test, or with a horizon that holds the window, nothing is said.
    let (_, calm) = run_on(b"", &["check", p, "--stress", "port-strike"]);
    assert!(!calm.contains("warning:"), "{calm}");
}

#[test]
fn an_outage_after_the_horizon_is_a_warning_at_its_line_in_every_command() {
    let text = with_outage(400, 420);
    let line = line_of(&text, "disruption =");
    let (code, err) = check(&text);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("x.toml:{line}:")), "points at the outage: {err}");
    assert!(err.contains("400–420") && err.contains("no effect"), "{err}");
    let (code, err) = run_on(text.as_bytes(), &["run", "x.toml", "--no-plots", "--quiet", "--days", "30"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning:") && err.contains("400–420"), "run warns too: {err}");
    let (code, err) = run_on(text.as_bytes(), &["trace", "x.toml", "--days", "10", "--out", "t.csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning:"), "trace warns too: {err}");
    let args = ["sweep", "x.toml", "--set", "locations.store.policy.level=10,20", "--quiet", "--days", "20"];
    let (code, err) = run_on(text.as_bytes(), &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("400–420").count(), 1, "a sweep warns once, not per point: {err}");
    let args = ["size", "x.toml", "--target", "fill_rate=0.9", "--replications", "2", "--days", "20", "--quiet"];
    let (code, err) = run_on(text.as_bytes(), &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("400–420").count(), 1, "size warns once: {err}");
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("x.toml"), &text).unwrap();
    fs::write(dir.path().join("y.toml"), BASE).unwrap();
    let out = echelon_in(dir.path())
        .args(["compare", "x.toml", "y.toml", "--replications", "2", "--days", "20", "--quiet"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("400–420").count(), 1, "compare warns about x.toml once: {err}");
}

/// The run's report.html carries the warnings beside the results they may have changed.
#[test]
fn the_run_report_shows_the_warnings() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("x.toml"), with_outage(400, 420)).unwrap();
    let out = echelon_in(dir.path())
        .args(["run", "x.toml", "--no-plots", "--quiet", "--days", "30", "--out", "o"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(html.contains("class=\"warn\">Warning: ") && html.contains("400–420"), "no warning in the report");
    // A scenario without warnings shows none.
    fs::write(dir.path().join("x.toml"), BASE).unwrap();
    let out = echelon_in(dir.path()).args(["run", "x.toml", "--no-plots", "--quiet", "--out", "p"]).output().unwrap();
    assert!(out.status.success());
    assert!(!fs::read_to_string(dir.path().join("p/report.html")).unwrap().contains("Warning: "));
}

#[test]
fn windows_partly_outside_the_horizon_say_which_days_count() {
    let (_, err) = check(&with_outage(360, 370));
    assert!(err.contains("partly outside") && err.contains("360–364"), "{err}");
    let promo = BASE.replace(
        "distribution = { type = \"poisson\", mean = 5 }",
        "distribution = { type = \"poisson\", mean = 5 }\npromotions = [{ first_day = -3, last_day = 10, multiplier = 2 }]",
    );
    let (code, err) = check(&promo);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("promotion") && err.contains("partly outside") && err.contains("0–10"), "{err}");
    let (_, inside) = check(&with_outage(30, 39));
    assert!(!inside.contains("warning:"), "{inside}");
}

/// The library keeps the warnings on the scenario, for reports.
#[test]
fn warnings_are_kept_on_the_scenario() {
    let sc = Scenario::parse("x.toml", &with_outage(400, 420)).unwrap();
    assert_eq!(sc.warnings.len(), 1, "{:?}", sc.warnings);
    assert_eq!(sc.warnings[0].key, "locations[0].disruption");
    assert!(sc.warnings[0].line > 0 && sc.warnings[0].help().is_some());
    assert!(Scenario::parse("x.toml", BASE).unwrap().warnings.is_empty());
}

#[test]
fn a_yearly_holding_rate_is_a_warning_with_the_annual_figure_and_the_daily_rate() {
    let text = BASE.replace("holding_cost = 0.01", "holding_cost = 0.25");
    let (code, err) = check(&text);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("x.toml:{}:", line_of(&text, "holding_cost = 0.25"))), "{err}");
    assert!(err.contains("912 % a year"), "shows the annual figure: {err}");
    assert!(err.contains("0.00685"), "suggests 0.25 / 365 × 10: {err}");
    // A location's override is checked against the SKU's unit cost too.
    let text = BASE.replace("lead_time = 2\n", "lead_time = 2\nholding_cost = 0.5\n");
    let (_, err) = check(&text);
    assert!(err.contains("locations[1].holding_cost") && err.contains("1825 % a year"), "{err}");
    // A textbook file that means its costs per period says so, and is not warned.
    let text = text.replace("[simulation]\n", "[simulation]\ncost_checks = false\n");
    let (code, err) = check(&text);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "cost_checks = false silences the check: {err}");
}

/// The shipped files warn about nothing: a lesson that means high costs per period says so.
#[test]
fn shipped_scenarios_have_no_warnings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.push(dir.join("perf/dc-100-stores.toml"));
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "toml")) {
        let sc = Scenario::load(f).unwrap();
        assert!(sc.warnings.is_empty(), "{}: {:?}", f.display(), sc.warnings);
    }
}

/// Three demand entries at one store: a name that fits all three is refused, naming each.
const THREE_SKUS: &str = r#"[simulation]
days = 30
replications = 2

[[skus]]
id = "a"
[[skus]]
id = "b"
[[skus]]
id = "c"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store-a"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 20 }

[[demand]]
location = "store-a"
sku = "a"
distribution = { type = "poisson", mean = 5 }
[[demand]]
location = "store-a"
sku = "b"
distribution = { type = "poisson", mean = 5 }
[[demand]]
location = "store-a"
sku = "c"
distribution = { type = "poisson", mean = 5 }
"#;

#[test]
fn a_set_path_that_matches_several_entries_is_refused_listing_each() {
    let set = |path: &str| run_on(THREE_SKUS.as_bytes(), &["check", "x.toml", "--set", path]);
    let (code, err) = set("demand.store-a.distribution.mean=30");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("matches 3 entries"), "{err}");
    for (sku, i) in [("a", 0), ("b", 1), ("c", 2)] {
        assert!(err.contains(&format!("demand.store-a/{sku}.distribution.mean")), "names {sku}: {err}");
        assert!(err.contains(&format!("demand.{i}.distribution.mean")), "names entry {i}: {err}");
    }
    // Each of the addresses it offers works.
    assert_eq!(set("demand.store-a/b.distribution.mean=30").0, 0);
    assert_eq!(set("demand.2.distribution.mean=30").0, 0);
    // A unique name still works, and a run also refuses the ambiguous one.
    assert_eq!(set("locations.store-a.policy.level=25").0, 0);
    let (code, _) = run_on(THREE_SKUS.as_bytes(), &["run", "x.toml", "--set", "demand.store-a.distribution.mean=30"]);
    assert_eq!(code, 2);
}

#[test]
fn two_entries_of_one_location_and_sku_are_addressed_by_index() {
    let text = THREE_SKUS.replace("sku = \"c\"", "sku = \"b\"");
    let (code, err) = run_on(text.as_bytes(), &["check", "x.toml", "--set", "demand.store-a/b.distribution.mean=3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("matches 2 entries") && err.contains("demand.1.") && err.contains("demand.2."), "{err}");
}

#[test]
fn a_byte_that_is_not_utf8_is_an_error_at_its_line_and_column() {
    let mut bytes = b"# Scenario\nname = \"caf".to_vec();
    bytes.push(0xE9); // é in Latin-1
    bytes.extend_from_slice(b"\"\n");
    bytes.extend_from_slice(BASE.as_bytes());
    let (code, err) = run_on(&bytes, &["check", "x.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("x.toml:2:12:"), "line 2, column 12: {err}");
    assert!(err.contains("UTF-8") && err.contains("help:"), "{err}");
}

#[test]
fn deep_nesting_is_one_error_with_a_location() {
    let arrays = format!("{BASE}extra = {}{}\n", "[".repeat(200), "]".repeat(200));
    let inline = format!("{BASE}extra = {}1{}\n", "{ a = ".repeat(200), " }".repeat(200));
    let dotted = format!("{BASE}{} = 1\n", vec!["a"; 200].join("."));
    let header = format!("{BASE}[{}]\nx = 1\n", vec!["a"; 200].join("."));
    for (text, marker) in [(arrays, "extra"), (inline, "extra"), (dotted, "a.a.a"), (header, "a.a.a")] {
        let (code, err) = check(&text);
        assert_eq!(code, 2, "{err}");
        assert_eq!(err.matches("error:").count(), 1, "one message: {err}");
        let line = line_of(&text, marker);
        assert!(err.contains(&format!("x.toml:{line}:")), "points at line {line}: {err}");
        assert!(err.contains("nests too deeply") && !err.contains("recursion limit"), "{err}");
    }
}

#[test]
fn a_wide_negative_binomial_runs_without_a_huge_table() {
    let text = BASE
        .replace(
            "distribution = { type = \"poisson\", mean = 5 }",
            "distribution = { type = \"negative_binomial\", mean = 1e9, sd = 1e8 }",
        )
        .replace("level = 20", "level = 1.2e10");
    let started = Instant::now();
    let (code, err) = run_on(text.as_bytes(), &["run", "x.toml", "--no-plots", "--quiet", "--days", "20"]);
    assert_eq!(code, 0, "{err}");
    // Building a 24 GB table took minutes (or aborted); drawing without one is instant.
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}

#[test]
fn magnitudes_beyond_the_bounds_are_refused_at_validation() {
    let cases = [
        ("level = 20", "level = 1e308", "locations[1].policy.level"),
        ("holding_cost = 0.01", "holding_cost = 1e300", "skus[0].holding_cost"),
        ("unit_cost = 10.0", "unit_cost = 2e12", "skus[0].unit_cost"),
        ("type = \"poisson\", mean = 5", "type = \"normal\", mean = 5, sd = 1e13", "demand[0].distribution"),
        ("lead_time = 2", "lead_time = { type = \"uniform\", min = 1, max = 1e9 }", "locations[1].lead_time"),
        ("lead_time = 2", "lead_time = 2\ncapacity_per_day = 1e15", "locations[1].capacity_per_day"),
        ("lead_time = 2", "lead_time = 2\ninitial_on_hand = 1e13", "locations[1].initial_on_hand"),
    ];
    for (from, to, key) in cases {
        let text = BASE.replace(from, to);
        let (code, err) = check(&text);
        assert_eq!(code, 2, "{to}: {err}");
        assert!(err.contains(key), "{to}: names {key}: {err}");
        assert!(err.contains("x.toml:") && !err.contains("panicked"), "{to}: {err}");
    }
    // Seasonality, promotions and trend multiply the mean: the peak is bounded too.
    let text = BASE.replace(
        "type = \"poisson\", mean = 5 }",
        "type = \"normal\", mean = 5e11, sd = 1 }\npromotions = [{ first_day = 1, last_day = 2, multiplier = 10 }]",
    );
    let (code, err) = check(&text);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("demand[0]") && err.contains("can reach 5") && err.contains("e12 units a day"), "{err}");
    // At the bound, a scenario is accepted.
    assert_eq!(check(&BASE.replace("level = 20", "level = 1e12")).0, 0);
}
