//! The `echelon` binary: bad input is a clear error (exit 2, file:line:col, key, help, no
//! panic, no output written), valid input runs and writes the files of the contract
//! (DESIGN.md §4). Every command runs in a temporary folder, so nothing is written into the repo
//! even when a default output path is used.

use std::fs;

use serde_json::Value;

use crate::common::echelon_in;

/// A valid scenario that the bad cases below are variations of.
const VALID: &str = r#"[simulation]
days = 30
replications = 2
seed = 1

[[skus]]
id = "item"
holding_cost = 1.0
stockout_cost = 2.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = 10 }

[[demand]]
location = "store"
distribution = { type = "poisson", mean = 3 }
"#;

/// 1-based numbers of the lines containing `marker`.
fn lines_with(text: &str, marker: &str) -> Vec<usize> {
    let v: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.contains(marker)).map(|(i, _)| i + 1).collect();
    assert!(!v.is_empty(), "test bug: marker {marker:?} not in the scenario");
    v
}

/// Whether `stderr` has `file:line:col:` for one of `lines`.
fn points_at(stderr: &str, file: &str, lines: &[usize]) -> bool {
    lines.iter().any(|line| {
        let pat = format!("{file}:{line}:");
        stderr.match_indices(&pat).any(|(i, _)| {
            let rest = &stderr[i + pat.len()..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && rest[digits..].starts_with(':')
        })
    })
}

/// One class of bad input.
struct Bad {
    /// File name (the class, for messages).
    file: &'static str,
    text: String,
    /// A text on the offending line(s) (`None`: no position applies).
    line_marker: Option<&'static str>,
    /// Texts stderr must contain: the key, and what the help should suggest.
    expect: &'static [&'static str],
}

/// Runs `run`, `check` and `trace` on a bad file: each must exit 2, name the file (and line and
/// column), the key, give help, not panic, and write nothing.
fn assert_rejected(b: &Bad) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(b.file), &b.text).unwrap();
    let commands: [&[&str]; 4] = [
        &["run", b.file, "--out", "out", "--quiet"],
        &["run", b.file, "--quiet"],
        &["check", b.file],
        &["trace", b.file, "--out", "trace.csv"],
    ];
    for args in commands {
        let out = echelon_in(dir.path()).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let ctx = format!("`echelon {}` on\n{}\n--- stderr ---\n{stderr}", args.join(" "), b.text);
        assert_eq!(out.status.code(), Some(2), "exit code of {ctx}");
        assert!(!stderr.contains("panicked"), "panic in {ctx}");
        assert!(stderr.contains(b.file), "stderr does not name the file: {ctx}");
        assert!(stderr.contains("help"), "stderr has no help: {ctx}");
        if let Some(marker) = b.line_marker {
            let lines = lines_with(&b.text, marker);
            assert!(points_at(&stderr, b.file, &lines), "stderr does not point at {}:{lines:?}:<col>: {ctx}", b.file);
        }
        for e in b.expect {
            assert!(stderr.contains(e), "stderr lacks {e:?}: {ctx}");
        }
        // Nothing written: only the scenario is in the folder (no out/, output/, trace.csv).
        let entries: Vec<String> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(entries, vec![b.file.to_string()], "files written for bad input by {ctx}");
    }
}

fn replace(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "test bug: {from:?} not in VALID");
    VALID.replacen(from, to, 1)
}

#[test]
fn toml_syntax_error() {
    assert_rejected(&Bad {
        file: "syntax.toml",
        text: replace("stockout_cost = 2.0", "stockout_cost = 2.0.0"),
        line_marker: Some("2.0.0"),
        expect: &["syntax"],
    });
}

#[test]
fn unknown_key_suggests_the_right_one() {
    assert_rejected(&Bad {
        file: "unknown-key.toml",
        text: replace("source = \"supplier\"", "sorce = \"supplier\""),
        line_marker: Some("sorce"),
        expect: &["locations[1]", "sorce", "did you mean `source`"],
    });
}

#[test]
fn unknown_key_in_simulation_suggests_the_right_one() {
    assert_rejected(&Bad {
        file: "unknown-key-sim.toml",
        text: replace("replications = 2", "replicatons = 2"),
        line_marker: Some("replicatons"),
        expect: &["replicatons", "did you mean `replications`"],
    });
}

/// A string where a whole number is expected: the message must name the key (`days`), not only
/// its section, and say how to fix it.
#[test]
fn wrong_type() {
    assert_rejected(&Bad {
        file: "wrong-type.toml",
        text: replace("days = 30", "days = \"thirty\""),
        line_marker: Some("thirty"),
        expect: &["days"],
    });
}

#[test]
fn wrong_type_of_a_cost() {
    assert_rejected(&Bad {
        file: "wrong-type-cost.toml",
        text: replace("holding_cost = 1.0", "holding_cost = \"cheap\""),
        line_marker: Some("cheap"),
        expect: &["holding_cost"],
    });
}

#[test]
fn unknown_location_reference() {
    assert_rejected(&Bad {
        file: "unknown-location.toml",
        text: replace("source = \"supplier\"", "source = \"dc-9\""),
        line_marker: Some("dc-9"),
        expect: &["locations[1].source", "unknown location 'dc-9'", "supplier"],
    });
    assert_rejected(&Bad {
        file: "unknown-demand-location.toml",
        text: replace("location = \"store\"", "location = \"stroe\""),
        line_marker: Some("stroe"),
        expect: &["demand[0].location", "stroe", "did you mean 'store'"],
    });
}

#[test]
fn unknown_sku_reference() {
    assert_rejected(&Bad {
        file: "unknown-sku.toml",
        text: replace("location = \"store\"\n", "location = \"store\"\nsku = \"itme\"\n"),
        line_marker: Some("itme"),
        expect: &["demand[0].sku", "itme", "did you mean 'item'"],
    });
}

#[test]
fn duplicate_ids() {
    let text = format!(
        "{VALID}\n[[locations]]\nid = \"store\" # duplicate\ntype = \"store\"\nsource = \"supplier\"\npolicy = {{ type = \"base_stock\", level = 4 }}\n"
    );
    assert_rejected(&Bad {
        file: "duplicate-location.toml",
        text,
        line_marker: Some("# duplicate"),
        expect: &["locations[2].id", "duplicate location id 'store'"],
    });
    assert_rejected(&Bad {
        file: "duplicate-sku.toml",
        text: replace("[[locations]]", "[[skus]]\nid = \"item\" # duplicate\n\n[[locations]]"),
        line_marker: Some("# duplicate"),
        expect: &["skus[1].id", "duplicate SKU id 'item'"],
    });
}

#[test]
fn cycle_in_sources() {
    let text = r#"[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc-a"
type = "warehouse"
source = "dc-b" # cycle
policy = { type = "base_stock", level = 10 }

[[locations]]
id = "dc-b"
type = "warehouse"
source = "dc-a" # cycle
policy = { type = "base_stock", level = 10 }

[[locations]]
id = "store"
type = "store"
source = "dc-a"
policy = { type = "base_stock", level = 10 }

[[demand]]
location = "store"
distribution = { type = "poisson", mean = 3 }
"#;
    assert_rejected(&Bad {
        file: "cycle.toml",
        text: text.to_string(),
        line_marker: Some("# cycle"),
        expect: &[".source", "cycle", "dc-a", "dc-b"],
    });
    // A location that is its own source is the shortest cycle.
    assert_rejected(&Bad {
        file: "self-source.toml",
        text: replace("source = \"supplier\"", "source = \"store\""),
        line_marker: Some("source = \"store\""),
        expect: &["locations[1].source", "own source"],
    });
}

#[test]
fn store_without_source() {
    // The source key is missing, so the message points into the location's entry.
    let text = replace("source = \"supplier\"\n", "");
    assert_rejected(&Bad {
        file: "store-no-source.toml",
        text,
        line_marker: Some("id = \"store\""),
        expect: &["locations[1].source", "store 'store' has no source"],
    });
}

#[test]
fn warehouse_without_source() {
    let text = r#"[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc" # here
type = "warehouse"
policy = { type = "base_stock", level = 10 }

[[locations]]
id = "store"
type = "store"
source = "dc"
policy = { type = "base_stock", level = 10 }

[[demand]]
location = "store"
distribution = { type = "poisson", mean = 3 }
"#;
    assert_rejected(&Bad {
        file: "warehouse-no-source.toml",
        text: text.to_string(),
        line_marker: Some("# here"),
        expect: &["locations[1].source", "warehouse 'dc' has no source"],
    });
}

#[test]
fn s_not_below_big_s() {
    assert_rejected(&Bad {
        file: "s-ge-S.toml",
        text: replace("{ type = \"base_stock\", level = 10 }", "{ type = \"s_S\", s = 10, S = 5 }"),
        line_marker: Some("s_S"),
        expect: &["locations[1].policy", "s < S"],
    });
    // Equal is not allowed either.
    assert_rejected(&Bad {
        file: "s-eq-S.toml",
        text: replace("{ type = \"base_stock\", level = 10 }", "{ type = \"s_S\", s = 7, S = 7 }"),
        line_marker: Some("s_S"),
        expect: &["locations[1].policy", "s < S"],
    });
}

#[test]
fn negative_parameters() {
    assert_rejected(&Bad {
        file: "negative-cost.toml",
        text: replace("holding_cost = 1.0", "holding_cost = -1.0"),
        line_marker: Some("holding_cost"),
        expect: &["skus[0].holding_cost", "-1"],
    });
    assert_rejected(&Bad {
        file: "negative-mean.toml",
        text: replace("mean = 3", "mean = -3"),
        line_marker: Some("mean = -3"),
        expect: &["demand[0].distribution", "-3"],
    });
    assert_rejected(&Bad {
        file: "negative-lead-time.toml",
        text: replace("lead_time = 2", "lead_time = -2"),
        line_marker: Some("lead_time"),
        expect: &["locations[1].lead_time"],
    });
    assert_rejected(&Bad {
        file: "negative-level.toml",
        text: replace("level = 10", "level = -10"),
        line_marker: Some("level = -10"),
        expect: &["locations[1].policy"],
    });
}

/// `nan` is valid TOML but no valid parameter.
#[test]
fn nan_parameters() {
    assert_rejected(&Bad {
        file: "nan-mean.toml",
        text: replace("mean = 3", "mean = nan"),
        line_marker: Some("nan"),
        expect: &["demand[0].distribution", "NaN"],
    });
    assert_rejected(&Bad {
        file: "nan-cost.toml",
        text: replace("holding_cost = 1.0", "holding_cost = nan"),
        line_marker: Some("nan"),
        expect: &["skus[0].holding_cost"],
    });
    assert_rejected(&Bad {
        file: "nan-level.toml",
        text: replace("level = 10", "level = nan"),
        line_marker: Some("nan"),
        expect: &["locations[1].policy"],
    });
}

#[test]
fn zero_replications() {
    assert_rejected(&Bad {
        file: "zero-replications.toml",
        text: replace("replications = 2", "replications = 0"),
        line_marker: Some("replications = 0"),
        expect: &["simulation.replications"],
    });
}

#[test]
fn zero_days() {
    assert_rejected(&Bad {
        file: "zero-days.toml",
        text: replace("days = 30", "days = 0"),
        line_marker: Some("days = 0"),
        expect: &["simulation.days"],
    });
}

#[test]
fn unknown_distribution_type() {
    assert_rejected(&Bad {
        file: "unknown-distribution.toml",
        text: replace("type = \"poisson\"", "type = \"poison\""),
        line_marker: Some("poison"),
        expect: &["demand[0].distribution", "poison", "did you mean `poisson`"],
    });
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["run", "no-such-file.toml", "--out", "out"][..], &["check", "no-such-file.toml"][..]] {
        let out = echelon_in(dir.path()).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("no-such-file.toml"), "{stderr}");
        assert!(stderr.contains("help"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "a missing scenario created files");
}

/// One run reports every problem of a file, each with its line and key.
#[test]
fn several_problems_are_all_reported() {
    let text = r#"[simulation]
days = 0 # P1

[[skus]]
id = "item"
holding_cost = -1.0 # P2

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
policy = { type = "s_S", s = 10, S = 5 } # P3

[[locations]]
id = "store-2"
type = "store"
source = "nowhere" # P4
policy = { type = "base_stock", level = 5 }

[[demand]]
location = "store"
distribution = { type = "poisson", mean = 3 }

[[demand]]
location = "store-2"
sku = "itme" # P5
distribution = { type = "poisson", mean = 3 }
"#;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("many.toml"), text).unwrap();
    let out = echelon_in(dir.path()).args(["run", "many.toml", "--out", "out"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for (marker, key) in [
        ("# P1", "simulation.days"),
        ("# P2", "skus[0].holding_cost"),
        ("# P3", "locations[1].policy"),
        ("# P4", "locations[2].source"),
        ("# P5", "demand[1].sku"),
    ] {
        let line = lines_with(text, marker)[0];
        assert!(points_at(&stderr, "many.toml", &[line]), "{key} at line {line} not reported:\n{stderr}");
        assert!(stderr.contains(key), "{key} not reported:\n{stderr}");
    }
    let n = stderr.lines().filter(|l| l.starts_with("error:")).count();
    assert!(n >= 5, "{n} problems reported:\n{stderr}");
    assert!(!dir.path().join("out").exists());
}

/// Bad command-line arguments are bad input too.
#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    for args in [
        &["run", "ok.toml", "--replications", "0", "--out", "out"][..],
        &["run", "ok.toml", "--threads", "0", "--out", "out"][..],
        &["run", "ok.toml", "--days", "0", "--out", "out"][..],
        &["run", "ok.toml", "--set", "locations.store.policy.level=-5", "--out", "out"][..],
        &["run", "ok.toml", "--set", "locations.nowhere.policy.level=5", "--out", "out"][..],
        &["run", "ok.toml", "--no-such-flag"][..],
    ] {
        let out = echelon_in(dir.path()).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "echelon {}: {stderr}", args.join(" "));
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!dir.path().join("out").exists(), "echelon {} wrote output", args.join(" "));
    }
}

#[test]
fn check_prints_the_network_tree() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    let out = echelon_in(dir.path()).args(["check", "ok.toml"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("ok.toml") && stdout.contains("OK"), "{stdout}");
    // The tree: the supplier, the store indented below it with its lead time, policy, demand.
    let sup = stdout.lines().find(|l| l.contains("supplier [supplier]")).expect("supplier line");
    let store = stdout.lines().find(|l| l.contains("store [store]")).expect("store line");
    let indent = |l: &str| l.len() - l.trim_start().len();
    assert!(indent(store) > indent(sup), "store is not below the supplier:\n{stdout}");
    assert!(store.contains("lead time 2"), "{stdout}");
    assert!(stdout.contains("base_stock") && stdout.contains("poisson"), "{stdout}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "check wrote files");
}

/// The KPI names of the contract (DESIGN.md §4).
const KPIS: [&str; 18] = [
    "fill_rate",
    "stockout_rate",
    "avg_on_hand",
    "avg_backorders",
    "avg_in_transit",
    "lost_sales",
    "units_demanded",
    "units_sold",
    "holding_cost",
    "stockout_cost",
    "order_cost",
    "in_transit_holding_cost",
    "total_cost",
    "orders_per_day",
    "inventory_turnover",
    "sell_through",
    "gmroi",
    "bullwhip",
];

/// A KPI table has every KPI of the contract, each null or a full summary.
fn check_kpi_table(v: &Value, reps: u64, what: &str) {
    let t = v.as_object().unwrap_or_else(|| panic!("{what} is not an object: {v}"));
    for k in KPIS {
        let s = t.get(k).unwrap_or_else(|| panic!("{what} lacks {k}"));
        if s.is_null() {
            continue;
        }
        for f in ["mean", "sd", "se", "p5", "p50", "p95", "min", "max"] {
            assert!(s[f].is_number(), "{what}.{k}.{f} is not a number: {s}");
        }
        let ci = s["ci95"].as_array().unwrap_or_else(|| panic!("{what}.{k}.ci95 is not an array"));
        assert_eq!(ci.len(), 2);
        let (lo, hi, mean) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap(), s["mean"].as_f64().unwrap());
        assert!(lo <= mean && mean <= hi, "{what}.{k}: ci95 [{lo}, {hi}] does not hold the mean {mean}");
        let n = s["n"].as_u64().unwrap_or_else(|| panic!("{what}.{k}.n"));
        assert!(n >= 1 && n <= reps, "{what}.{k}.n = {n}");
    }
}

const NETWORK: &str = r#"name = "Small network"

[simulation]
days = 60
warmup_days = 5
replications = 9
seed = 4

[[skus]]
id = "a"
unit_cost = 2.0
price = 3.0
holding_cost = 0.1
stockout_cost = 1.0

[[skus]]
id = "b"
holding_cost = 0.1
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 3
policy = { type = "base_stock", level = 60 }

[[locations]]
id = "east"
type = "store"
source = "dc"
policy = { type = "s_S", s = 5, S = 20 }

[[locations]]
id = "west"
type = "store"
source = "dc"
policy = { type = "r_Q", r = 6, Q = 10 }

[[demand]]
location = "east"
sku = "a"
distribution = { type = "poisson", mean = 4 }

[[demand]]
location = "east"
sku = "b"
distribution = { type = "normal", mean = 3, sd = 1 }

[[demand]]
location = "west"
sku = "a"
distribution = { type = "empirical", values = [1, 2, 6] }
"#;

#[test]
fn run_writes_summary_and_replications() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("net.toml"), NETWORK).unwrap();
    let out = echelon_in(dir.path()).args(["run", "net.toml", "--out", "results", "--quiet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let json: Value = serde_json::from_slice(&fs::read(dir.path().join("results/summary.json")).unwrap()).unwrap();
    assert_eq!(json["scenario"], "Small network");
    assert!(json["file"].as_str().is_some_and(|f| f.contains("net.toml")), "{}", json["file"]);
    assert_eq!(json["replications"], 9);
    assert_eq!(json["days"], 60);
    assert_eq!(json["warmup_days"], 5);
    assert_eq!(json["seed"], 4);
    assert_eq!(json["unmet_demand"], "backorder");
    check_kpi_table(&json["network"], 9, "network");
    for k in KPIS {
        assert!(json["network"][k].is_object(), "network {k} is null");
    }
    // Locations: stocking ones only (suppliers carry no KPIs), each summed over its SKUs.
    let locs = json["locations"].as_object().expect("locations object");
    let ids: Vec<&str> = locs.keys().map(String::as_str).collect();
    assert_eq!(ids, ["dc", "east", "west"]);
    for (id, t) in locs {
        check_kpi_table(t, 9, id);
    }
    // A warehouse has no customer demand: its fill rate is undefined, null (never NaN).
    assert!(json["locations"]["dc"]["fill_rate"].is_null());
    // Positions: one per location × SKU it stocks.
    let pos = json["positions"].as_array().expect("positions array");
    let mut pairs: Vec<(String, String)> = pos
        .iter()
        .map(|p| (p["location"].as_str().unwrap().to_string(), p["sku"].as_str().unwrap().to_string()))
        .collect();
    pairs.sort();
    let want: Vec<(String, String)> = [("dc", "a"), ("dc", "b"), ("east", "a"), ("east", "b"), ("west", "a")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(pairs, want);
    for p in pos {
        check_kpi_table(&p["kpis"], 9, &format!("position {}/{}", p["location"], p["sku"]));
    }
    // The network's demand is the sum of its stores' (4 + 3 + 3 units a day expected).
    let net_dem = json["network"]["units_demanded"]["mean"].as_f64().unwrap();
    let loc_dem: f64 =
        ["dc", "east", "west"].iter().map(|l| json["locations"][l]["units_demanded"]["mean"].as_f64().unwrap()).sum();
    assert!((net_dem - loc_dem).abs() < 1e-9 * net_dem, "{net_dem} vs {loc_dem}");

    // replications.csv: a header with every KPI, one row per replication and scope.
    let csv = fs::read_to_string(dir.path().join("results/replications.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..4], ["replication", "scope", "location", "sku"]);
    for k in KPIS {
        assert!(header.contains(&k), "replications.csv lacks column {k}");
    }
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for r in &rows {
        assert_eq!(r.len(), header.len());
    }
    let net_rows = rows.iter().filter(|r| r[1] == "network").count();
    assert_eq!(net_rows, 9, "one network row per replication");
    let reps: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(reps.len(), 9);
    // Network fill rate of replication 0 matches the mean of the CSV column and the JSON.
    let fr = header.iter().position(|h| *h == "fill_rate").unwrap();
    let mean: f64 = rows.iter().filter(|r| r[1] == "network").map(|r| r[fr].parse::<f64>().unwrap()).sum::<f64>() / 9.0;
    let jm = json["network"]["fill_rate"]["mean"].as_f64().unwrap();
    assert!((mean - jm).abs() < 1e-9, "fill_rate mean {jm} in summary.json vs {mean} from replications.csv");
}

/// Command-line overrides reach the output, and without --out the run writes into
/// output/<scenario stem>/ under the working directory.
#[test]
fn overrides_and_default_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("net.toml"), NETWORK).unwrap();
    let out = echelon_in(dir.path())
        .args(["run", "net.toml", "--replications", "4", "--days", "20", "--seed", "77", "--quiet"])
        .args(["--set", "simulation.unmet_demand=lost_sales"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "--quiet printed: {}", String::from_utf8_lossy(&out.stdout));
    let json: Value = serde_json::from_slice(&fs::read(dir.path().join("output/net/summary.json")).unwrap()).unwrap();
    assert_eq!(json["replications"], 4);
    assert_eq!(json["days"], 20);
    assert_eq!(json["seed"], 77);
    assert_eq!(json["unmet_demand"], "lost_sales");
    assert!(dir.path().join("output/net/replications.csv").exists());
}

#[test]
fn trace_writes_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("net.toml"), NETWORK).unwrap();
    let out = echelon_in(dir.path()).args(["trace", "net.toml", "--days", "7", "--out", "t.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = crate::common::parse_trace(&fs::read_to_string(dir.path().join("t.csv")).unwrap());
    // 7 days × 5 positions.
    assert_eq!(rows.len(), 35);
    assert_eq!(rows.last().unwrap().day, 6);
}

#[test]
fn run_help_mentions_an_example() {
    let dir = tempfile::tempdir().unwrap();
    let out = echelon_in(dir.path()).args(["run", "--help"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("Example"), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("echelon run ")), "no example command line:\n{stdout}");
    for flag in ["--out", "--replications", "--seed", "--threads", "--quiet"] {
        assert!(stdout.contains(flag), "run --help lacks {flag}");
    }
}

/// A shipped scenario file, by its path in the repository.
fn shipped(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `echelon args` in `dir` with extra environment; returns (exit code, stdout, stderr,
/// seconds).
fn run_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String, f64) {
    let t = std::time::Instant::now();
    let mut c = echelon_in(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.args(args).output().unwrap();
    let secs = t.elapsed().as_secs_f64();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        secs,
    )
}

/// Requests the machine cannot serve (issue 12 item 1): exit 2 at once with the estimate, the
/// limit and what to change — never "memory allocation failed" (exit 134) halfway.
#[test]
fn runs_that_need_more_memory_than_available_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (wj, dc) = (shipped("winter-jackets.toml"), shipped("perf/dc-100-stores.toml"));
    // Only the network's values grow with the replications (about 900 bytes each, kept, saved
    // and summarised): 100 million need about 87 GB, refused against a 16 GB budget; 10 million
    // of the perf network (about 9 GB) against a 2 GB budget.
    let budget_16gb: &[(&str, &str)] = &[("ECHELON_MEMORY_LIMIT", "16000000000")];
    let budget_2gb: &[(&str, &str)] = &[("ECHELON_MEMORY_LIMIT", "2000000000")];
    for (args, env) in [
        (&["run", wj.as_str(), "--replications", "100000000", "--out", "out"][..], budget_16gb),
        (&["run", dc.as_str(), "--replications", "10000000", "--out", "out"][..], budget_2gb),
    ] {
        let (code, _, stderr, secs) = run_in(dir.path(), args, env);
        let ctx = format!("echelon {}: {stderr}", args.join(" "));
        assert_eq!(code, Some(2), "{ctx}");
        assert!(stderr.contains("of memory") && stderr.contains("more than the"), "{ctx}");
        assert!(stderr.contains("help: run at most") && stderr.contains("--replications"), "{ctx}");
        assert!(!stderr.contains("panicked") && !stderr.contains("allocation"), "{ctx}");
        // Refused before any work: well within a second on an idle machine (loaded CI: 5 s).
        assert!(secs < 5.0, "took {secs:.1} s: {ctx}");
    }
    // A fixed limit refuses every command's runs the same way, and nothing is written.
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    fs::write(dir.path().join("ok2.toml"), VALID).unwrap();
    let tiny = [("ECHELON_MEMORY_LIMIT", "1000000")];
    for args in [
        &["run", "ok.toml", "--out", "out"][..],
        &["compare", "ok.toml", "ok2.toml", "--out", "out"][..],
        &["sweep", "ok.toml", "--set", "locations.store.policy.level=5,6", "--out", "out"][..],
        &["size", "ok.toml", "--target", "fill_rate=0.9", "--out", "out"][..],
    ] {
        let (code, _, stderr, _) = run_in(dir.path(), args, &tiny);
        assert_eq!(code, Some(2), "echelon {}: {stderr}", args.join(" "));
        assert!(stderr.contains("more than the 1 MB"), "{stderr}");
    }
    let (code, _, stderr, _) = run_in(dir.path(), &["trace", "ok.toml", "--days", "1000000", "--out", "t.csv"], &tiny);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("trace fewer days"), "{stderr}");
    assert!(!dir.path().join("out").exists() && !dir.path().join("t.csv").exists(), "a refused run wrote output");
}

/// `--replications` is bounded like the file's key; `--threads` above what is useful is capped
/// with a note, never a panic.
#[test]
fn replications_are_bounded_and_threads_capped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    for n in ["0", "100000001", "18446744073709551615"] {
        let (code, _, stderr, _) = run_in(dir.path(), &["run", "ok.toml", "--replications", n, "--out", "o"], &[]);
        assert_eq!(code, Some(2), "--replications {n}: {stderr}");
        assert!(stderr.contains("--replications") && stderr.contains("100000000"), "{stderr}");
    }
    let (code, _, stderr, _) = run_in(dir.path(), &["run", "ok.toml", "--threads", "100000", "--out", "o", "-q"], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("note: --threads 100000") && stderr.contains("using 2"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(dir.path().join("o/summary.json").exists());
}

/// An `--out` that cannot be written fails before the simulation (issue 12 item 2).
#[test]
fn unusable_output_fails_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("taken"), "mine").unwrap();
    let nv = shipped("newsvendor.toml");
    // About half a minute of simulation if it ran.
    let long = ["run", nv.as_str(), "--days", "10000000", "--replications", "8", "--no-plots", "-q"];
    for (out, want_code, want) in [("taken", 2, "is a file"), ("taken/sub", 1, "cannot write into")] {
        let (code, _, stderr, secs) = run_in(dir.path(), &[&long[..], &["--out", out]].concat(), &[]);
        assert_eq!(code, Some(want_code), "--out {out}: {stderr}");
        assert!(stderr.contains(want) && stderr.contains("help"), "--out {out}: {stderr}");
        assert!(secs < 5.0, "--out {out} failed only after {secs:.1} s");
    }
    assert_eq!(fs::read_to_string(dir.path().join("taken")).unwrap(), "mine");
    let (code, _, stderr, _) = run_in(dir.path(), &["trace", nv.as_str(), "--out", "."], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is a folder"), "{stderr}");
}

/// Files whose names mark them as the atomic writer's temporary files.
fn temporary_files(dir: &std::path::Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.contains(".tmp-")).collect())
        .unwrap_or_default()
}

/// Ctrl-C at any moment exits 130 and leaves no temporary files (issue 12 item 2): during the
/// simulation and while a large output is being written.
#[test]
fn ctrl_c_exits_130_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let wj = shipped("winter-jackets.toml");
    for delay_ms in [300, 1200, 2200, 3200] {
        let out = format!("out-{delay_ms}");
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("echelon"))
            .current_dir(dir.path())
            .args(["run", wj.as_str(), "--replications", "2000", "--no-plots", "-q", "--out", out.as_str()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = std::process::Command::new("sh").args(["-c", &format!("kill -INT {}", child.id())]).status();
        let status = child.wait().unwrap();
        // A run that finished before the signal exits 0; an interrupted one 130, never a crash.
        assert!(matches!(status.code(), Some(130) | Some(0)), "after {delay_ms} ms: {status:?}");
        let left = temporary_files(&dir.path().join(&out));
        assert!(left.is_empty(), "Ctrl-C after {delay_ms} ms left {left:?}");
        // replications.csv is written as the run goes, under a temporary name: an interrupted
        // run leaves none of its files.
        if status.code() == Some(130) {
            for f in ["replications.csv", "summary.json", "report.html", "results.echelon"] {
                assert!(!dir.path().join(&out).join(f).exists(), "Ctrl-C after {delay_ms} ms left {f}");
            }
        }
    }
}

/// A run into a folder with an earlier run's charts removes the ones it does not write again,
/// and nothing else (issue 12 item 2).
#[test]
fn earlier_charts_do_not_stay_beside_a_new_report() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    let run = |extra: &[&str]| {
        let (code, _, stderr, _) =
            run_in(dir.path(), &[&["run", "ok.toml", "--out", "o", "-q"][..], extra].concat(), &[]);
        assert_eq!(code, Some(0), "{stderr}");
    };
    let o = dir.path().join("o");
    run(&[]);
    assert!(o.join("fan_store.png").exists() && o.join("hist_fill_rate.svg").exists());
    fs::write(o.join("notes.txt"), "mine").unwrap();
    fs::write(o.join("my-chart.png"), "mine").unwrap();
    run(&["--plots", "svg"]);
    assert!(!o.join("fan_store.png").exists(), "a PNG of the earlier run is left");
    assert!(o.join("fan_store.svg").exists());
    run(&["--no-plots"]);
    let charts: Vec<String> = fs::read_dir(&o)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".png") || n.ends_with(".svg"))
        .collect();
    assert_eq!(charts, ["my-chart.png"], "charts left after a --no-plots run");
    assert_eq!(fs::read_to_string(o.join("notes.txt")).unwrap(), "mine");
    // A folder written by an older echelon (no list of its files): charts by their names.
    fs::remove_file(o.join(".echelon-files")).unwrap();
    fs::write(o.join("fan_old.svg"), "old").unwrap();
    run(&["--no-plots"]);
    assert!(!o.join("fan_old.svg").exists() && o.join("my-chart.png").exists());
}

/// Default output folders name the strategy, stress test and sizing target, so runs of one file
/// do not overwrite each other (issue 12 item 3).
#[test]
fn default_folders_name_the_variant() {
    let dir = tempfile::tempdir().unwrap();
    let jit = shipped("jit-vs-push-disruption.toml");
    let quick = ["--replications", "2", "--days", "20", "-q"];
    for (extra, folder) in [
        (&["--strategy", "push"][..], "output/jit-vs-push-disruption-push"),
        (&["--stress", "port-strike"][..], "output/jit-vs-push-disruption-port-strike"),
        (&["--strategy", "jit", "--stress", "port-strike"][..], "output/jit-vs-push-disruption-jit-port-strike"),
    ] {
        let args = [&["run", jit.as_str(), "--no-plots"][..], extra, &quick[..]].concat();
        let (code, _, stderr, _) = run_in(dir.path(), &args, &[]);
        assert_eq!(code, Some(0), "{stderr}");
        let json: Value =
            serde_json::from_slice(&fs::read(dir.path().join(folder).join("summary.json")).unwrap()).unwrap();
        assert_eq!(json["days"], 20, "{folder}");
    }
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    let (code, _, stderr, _) =
        run_in(dir.path(), &[&["size", "ok.toml", "--target", "fill_rate=0.9"][..], &quick].concat(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(dir.path().join("output/ok-size-fill_rate-0.9/sizing.json").exists());
}

/// Problems caused by a flag name the flag, not a line of the file; unknown names get a
/// did-you-mean (issue 12 item 9).
#[test]
fn flag_errors_point_at_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    for (args, want) in [
        (&["--set", "locations.store.policy.level=-3"][..], "--set locations.store.policy.level=-3:"),
        (&["--set", "locations.store.policy.level=abc"][..], "--set locations.store.policy.level=abc:"),
        (&["--days", "0"][..], "--days"),
        (&["--set", "locations.stor.policy.level=3"][..], "did you mean 'store'"),
        (&["--plot-locations", "stor"][..], "did you mean 'store'"),
    ] {
        let (code, _, stderr, _) = run_in(dir.path(), &[&["run", "ok.toml", "--out", "o"][..], args].concat(), &[]);
        let ctx = format!("{}: {stderr}", args.join(" "));
        assert_eq!(code, Some(2), "{ctx}");
        assert!(stderr.contains(want), "lacks {want:?}: {ctx}");
        assert!(!stderr.contains("ok.toml:"), "blamed on the file: {ctx}");
    }
    assert!(!dir.path().join("o").exists());
}

/// Counts read as a person writes them; `trace --out -` writes the CSV to stdout (item 8).
#[test]
fn singular_counts_and_trace_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.toml"), VALID).unwrap();
    let (code, stdout, stderr, _) =
        run_in(dir.path(), &["run", "ok.toml", "--replications", "1", "--days", "1", "--no-plots", "--out", "o"], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("1 replication × 1 day,"), "{stdout}");
    let (code, stdout, stderr, _) = run_in(dir.path(), &["trace", "ok.toml", "--days", "3", "--out", "-"], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let rows = crate::common::parse_trace(&stdout);
    assert_eq!(rows.len(), 3, "{stdout}");
    assert!(!dir.path().join("-").exists());
}
