//! Region scopes (issue 15, item 4): a region sums the positions of the locations with its label,
//! so each additive KPI of a region is the sum of its locations'; scenarios without regions have
//! no region scope; region scopes survive saved results, shards and `report`; `compare --scope
//! region:NAME` compares them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use echelon::Scenario;
use echelon::runner::{Scope, scopes_of};
use serde_json::Value;

use crate::common::{echelon_in, model};

/// KPIs that add up over positions (stocks, flows and costs per day).
const ADDITIVE: [&str; 13] = [
    "units_demanded",
    "units_sold",
    "lost_sales",
    "units_ordered",
    "avg_on_hand",
    "avg_backorders",
    "avg_in_transit",
    "avg_inventory_value",
    "holding_cost",
    "stockout_cost",
    "order_cost",
    "in_transit_holding_cost",
    "total_cost",
];

/// A shipped scenario file.
fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

/// Runs `echelon args` in `dir`; panics with stderr unless it exits 0.
fn ok(dir: &Path, args: &[&str]) {
    let out = echelon_in(dir).args(args).output().unwrap();
    assert!(out.status.success(), "echelon {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

/// Runs `echelon args` in `dir`: (exit code, stderr).
fn code(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = echelon_in(dir).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// `a` equals `b` within the rounding of adding a few dozen numbers.
fn same_sum(what: &str, a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0), "{what}: region {a} vs its locations {b}");
}

/// replications.csv as (replication, scope, name) → {kpi: value}; the name is the location column
/// (a region's label) or, for SKU rows, the SKU.
fn rows(path: &Path) -> BTreeMap<(String, String, String), BTreeMap<String, String>> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), head.len(), "{l}");
            let key = (cells[0].into(), cells[1].into(), format!("{}{}", cells[2], cells[3]));
            (key, head.iter().zip(&cells).skip(4).map(|(h, c)| (h.to_string(), c.to_string())).collect())
        })
        .collect()
}

/// Runs `file` with `args` into `dir/out` and checks every region against its locations: in
/// each replication's rows of replications.csv and in the means of summary.json. Returns the
/// region labels of summary.json.
fn regions_sum_their_locations(dir: &Path, file: &Path, args: &[&str]) -> Vec<String> {
    let out = dir.join("out");
    let f = file.to_str().unwrap();
    ok(dir, &[&["run", f, "--no-plots", "-q", "--out", out.to_str().unwrap()], args].concat());
    // The validated locations (BOPIS locations `<store>.bopis` included, with their store's region).
    let sc = Scenario::load(file).unwrap();
    let region_of: BTreeMap<&str, &str> =
        sc.locations.iter().filter_map(|l| l.region.as_deref().map(|r| (l.id.as_str(), r))).collect();

    let summary = json(&out.join("summary.json"));
    let labels: Vec<String> = summary["regions"].as_object().expect("a regions object").keys().cloned().collect();
    let mut want: Vec<String> = region_of.values().map(|r| r.to_string()).collect();
    want.sort();
    want.dedup();
    assert_eq!(labels, want, "labels sorted, one per region");
    let keys: Vec<&String> = summary.as_object().unwrap().keys().collect();
    let at = |k: &str| keys.iter().position(|x| *x == k).unwrap();
    assert!(at("skus") + 1 == at("regions") && at("regions") + 1 == at("positions"), "{keys:?}");
    for r in &labels {
        let locs: Vec<&str> = region_of.iter().filter(|(_, x)| **x == r.as_str()).map(|(l, _)| *l).collect();
        assert!(!locs.is_empty());
        for k in ADDITIVE {
            let sum: f64 = locs.iter().map(|l| summary["locations"][l][k]["mean"].as_f64().unwrap()).sum();
            same_sum(&format!("{r} {k} mean"), summary["regions"][r][k]["mean"].as_f64().unwrap(), sum);
        }
    }

    let table = rows(&out.join("replications.csv"));
    let reps = summary["replications"].as_u64().unwrap();
    for rep in 0..reps {
        let row = |scope: &str, name: &str| &table[&(rep.to_string(), scope.to_string(), name.to_string())];
        for r in &labels {
            let locs: Vec<&str> = region_of.iter().filter(|(_, x)| **x == r.as_str()).map(|(l, _)| *l).collect();
            for k in ADDITIVE {
                let sum: f64 = locs.iter().map(|l| row("location", l)[k].parse::<f64>().unwrap()).sum();
                same_sum(&format!("replication {rep}: {r} {k}"), row("region", r)[k].parse().unwrap(), sum);
            }
        }
    }
    labels
}

/// Stores and their BOPIS locations, with channels: each region's flows are its locations'.
#[test]
fn omnichannel_regions_sum_their_locations() {
    let dir = tempfile::tempdir().unwrap();
    let labels =
        regions_sum_their_locations(dir.path(), &shipped("omnichannel.toml"), &["--replications", "3", "--days", "90"]);
    assert_eq!(labels, ["east", "west"]);
}

/// Tiers and regions side by side; a strategy that rebalances within regions.
#[test]
fn winter_jackets_regions_sum_their_locations() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--strategy", "rebalance", "--replications", "3", "--days", "90"];
    let labels = regions_sum_their_locations(dir.path(), &shipped("winter-jackets.toml"), &args);
    assert_eq!(labels, ["north", "south"]);
}

/// Regions from a table (`region` column of locations.csv).
#[test]
fn retail_chain_regions_from_the_locations_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = shipped("retail-chain/scenario.toml");
    let labels = regions_sum_their_locations(dir.path(), &file, &["--replications", "2", "--days", "30"]);
    assert_eq!(labels, ["north", "south"]);
}

/// Above 10,000 positions, where positions are no scopes, regions stay: a generated chain.
#[test]
fn regions_stay_scopes_above_the_position_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["generate", "--stores", "60", "--skus", "170", "--days", "0", "--out", "chain"]);
    let file = d.join("chain/scenario.toml");
    let m = echelon::Model::compile(&Scenario::load(&file).unwrap());
    assert!(m.n_pos() > echelon::runner::POSITION_SCOPES_MAX, "{} positions", m.n_pos());
    assert!(!scopes_of(&m).iter().any(|s| matches!(s, Scope::Position(_))));
    let labels = regions_sum_their_locations(d, &file, &["--replications", "2", "--days", "14"]);
    assert_eq!(labels, m.topo.regions);
    assert_eq!(labels.len(), 2, "one region per DC");
}

/// A network whose stores name the given regions (`""` = none) and whose supplier names
/// `supplier_region`.
fn network(supplier_region: &str, stores: &[&str]) -> String {
    let mut s = format!(
        "[simulation]\ndays = 20\nreplications = 2\n[[skus]]\nid = \"a\"\n[[skus]]\nid = \"b\"\n\
         [[locations]]\nid = \"sup\"\ntype = \"supplier\"\n{supplier_region}\n"
    );
    for (i, r) in stores.iter().enumerate() {
        let region = if r.is_empty() { String::new() } else { format!("region = \"{r}\"\n") };
        s += &format!(
            "[[locations]]\nid = \"s{i}\"\ntype = \"store\"\nsource = \"sup\"\nlead_time = 1\n{region}\
             policy = {{ type = \"base_stock\", level = 5 }}\n"
        );
        for k in ["a", "b"] {
            s += &format!(
                "[[demand]]\nlocation = \"s{i}\"\nsku = \"{k}\"\ndistribution = {{ type = \"poisson\", mean = 2 }}\n"
            );
        }
    }
    s
}

/// Region scopes come after the SKU scopes and before the positions, one per label of a location
/// that holds positions (a supplier's label makes none).
#[test]
fn region_scopes_follow_the_skus_and_need_positions() {
    let m = model(&network("region = \"far\"", &["west", "", "east", "west"]));
    assert_eq!(m.topo.regions, ["east", "west"]);
    let scopes = scopes_of(&m);
    let first = scopes.iter().position(|s| matches!(s, Scope::Region(_))).unwrap();
    assert!(matches!(scopes[first - 1], Scope::Sku(1)), "{scopes:?}");
    assert_eq!(&scopes[first..first + 2], [Scope::Region(0), Scope::Region(1)]);
    assert!(matches!(scopes[first + 2], Scope::Position(_)), "{scopes:?}");

    let m = model(&network("region = \"far\"", &["", ""]));
    assert!(m.topo.regions.is_empty(), "{:?}", m.topo.regions);
    assert!(!scopes_of(&m).iter().any(|s| matches!(s, Scope::Region(_))));
}

/// A scenario without regions writes no `regions` and no region rows.
#[test]
fn no_regions_no_region_scope() {
    let dir = tempfile::tempdir().unwrap();
    let f = shipped("base-stock.toml");
    ok(dir.path(), &["run", f.to_str().unwrap(), "--replications", "3", "--no-plots", "-q", "--out", "o"]);
    let summary = json(&dir.path().join("o/summary.json"));
    assert!(summary.get("regions").is_none(), "{summary}");
    let csv = fs::read_to_string(dir.path().join("o/replications.csv")).unwrap();
    assert!(!csv.lines().any(|l| l.split(',').nth(1) == Some("region")));
    let html = fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(!html.contains("<th>region</th>"), "a table of regions");
}

/// Region scopes travel in the saved results: shards merge into the one-process files, and
/// `report` rewrites summary.json byte for byte from results.echelon.
#[test]
fn region_scopes_survive_shards_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::copy(shipped("omnichannel.toml"), d.join("omnichannel.toml")).unwrap();
    let run = ["run", "omnichannel.toml", "--replications", "6", "--days", "60", "--plots", "svg", "-q"];
    ok(d, &[&run[..], &["--out", "one"]].concat());
    for i in [1, 0] {
        let spec = format!("{i}/2");
        ok(d, &[&run[..], &["--shard", &spec, "--threads", "1", "--out", "shards"]].concat());
    }
    ok(d, &["merge", "shards", "--out", "merged", "-q"]);
    for f in ["summary.json", "replications.csv", "report.html"] {
        let (a, b) = (fs::read(d.join("one").join(f)).unwrap(), fs::read(d.join("merged").join(f)).unwrap());
        assert!(a == b, "{f} differs between the one-process run and the merged shards");
    }
    let summary = fs::read(d.join("one/summary.json")).unwrap();
    assert!(json(&d.join("one/summary.json"))["regions"]["west"]["fill_rate"]["mean"].is_f64());
    let html = fs::read_to_string(d.join("one/report.html")).unwrap();
    assert!(html.contains("<h2>Tiers, segments and regions</h2>") && html.contains("<th>region</th>"), "no regions");
    assert!(html.contains("<td>east</td>") && html.contains("<td>west</td>"), "no regions");

    fs::remove_file(d.join("one/summary.json")).unwrap();
    fs::remove_file(d.join("omnichannel.toml")).unwrap();
    ok(d, &["report", "one", "-q"]);
    assert!(fs::read(d.join("one/summary.json")).unwrap() == summary, "report rewrote another summary.json");
}

/// `compare --scope region:NAME` compares a region's KPIs; an unknown region is exit 2 with the
/// closest name, a scenario without regions exit 2 saying so.
#[test]
fn compare_scopes_a_region() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let wj = shipped("winter-jackets.toml");
    let wj = wj.to_str().unwrap();
    let args = ["compare", wj, "--strategies", "pull,push", "--scope", "region:north", "--replications", "2"];
    ok(d, &[&args[..], &["--days", "60", "--out", "c", "-q"]].concat());
    let v = json(&d.join("c/comparison.json"));
    let scope = &v["scopes"]["region:north"];
    assert!(scope["kpis"]["push"]["fill_rate"]["mean"].is_f64(), "{v}");
    assert!(!scope["paired"].as_array().unwrap().is_empty());

    let (c, err) = code(d, &["compare", wj, "--strategies", "pull,push", "--scope", "region:nroth", "--out", "e"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("did you mean 'region:north'"), "{err}");
    let bs = shipped("base-stock.toml");
    let nv = shipped("newsvendor.toml");
    let (c, err) =
        code(d, &["compare", nv.to_str().unwrap(), bs.to_str().unwrap(), "--scope", "region:north", "--out", "f"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("has no regions"), "{err}");
}
