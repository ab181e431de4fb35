//! positions.csv (issue 15): every position's key KPIs at any scale. Below 10,000 positions its
//! means agree with summary.json's position scopes; above, summary.json leaves positions out,
//! positions.csv still has every one, shards merge into the same bytes, `size` refuses the
//! network with a clear message and `check` shortens its listing.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::echelon_in;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `echelon args` in `dir`, requiring success; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = echelon_in(dir).args(args).output().unwrap();
    assert!(out.status.success(), "echelon {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// positions.csv as (header, rows of cells).
fn table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines().map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
    (lines.next().unwrap(), lines.collect())
}

#[test]
fn positions_csv_agrees_with_the_position_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let file = root().join("scenarios/winter-jackets.toml");
    ok(dir.path(), &["run", file.to_str().unwrap(), "--no-plots", "-q", "--replications", "40", "--out", "o"]);
    let summary: Value = serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let scopes = summary["positions"].as_array().unwrap();
    let (head, rows) = table(&out.join("positions.csv"));
    assert_eq!(&head[..7], ["location", "sku", "segment", "tier", "region", "demand_per_day", "replications"]);
    assert_eq!(rows.len(), scopes.len(), "a row per position");
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    for (row, scope) in rows.iter().zip(scopes) {
        assert_eq!(
            (row[0].as_str(), row[1].as_str()),
            (scope["location"].as_str().unwrap(), scope["sku"].as_str().unwrap())
        );
        assert_eq!(row[col("replications")], "40");
        for kpi in ["fill_rate", "avg_on_hand", "total_cost"] {
            let Some(want) = scope["kpis"][kpi]["mean"].as_f64() else {
                assert!(row[col(kpi)].is_empty(), "{kpi} undefined at {row:?}");
                continue;
            };
            let got: f64 = row[col(kpi)].parse().unwrap();
            // 6 significant digits of a mean on a 2⁻²⁰ grid.
            assert!(
                (got - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{kpi} at {}/{}: {got} vs {want}",
                row[0],
                row[1]
            );
            let sd: f64 = row[col(&format!("{kpi}_sd"))].parse().unwrap();
            let want_sd = scope["kpis"][kpi]["sd"].as_f64().unwrap();
            assert!((sd - want_sd).abs() <= 1e-4 * want_sd.max(1.0), "{kpi}_sd: {sd} vs {want_sd}");
        }
    }
}

/// A generated chain of 100 stores × 101 SKUs: 10,100 store and 101 DC positions, above the
/// 10,000 that are scopes of their own.
fn big_chain(dir: &Path) {
    ok(
        dir,
        &["generate", "--stores", "100", "--skus", "101", "--days", "0", "--replications", "6", "--out", "chain", "-q"],
    );
    let file = dir.join("chain/scenario.toml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replacen("days = 365", "days = 40", 1)).unwrap();
}

#[test]
fn above_ten_thousand_positions_they_are_in_positions_csv_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    big_chain(d);
    ok(d, &["run", "chain/scenario.toml", "--no-plots", "-q", "--out", "one"]);
    let summary: Value = serde_json::from_slice(&fs::read(d.join("one/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["positions"].as_array().map(Vec::len), Some(0), "no position scopes");
    assert!(summary["locations"].as_object().unwrap().len() > 100, "locations stay");
    let (head, rows) = table(&d.join("one/positions.csv"));
    assert_eq!(rows.len(), 10_100 + 4 * 101, "every store and DC position");
    let fill = head.iter().position(|h| h == "fill_rate").unwrap();
    let stores: Vec<f64> =
        rows.iter().filter(|r| r[0].starts_with("store")).filter_map(|r| r[fill].parse().ok()).collect();
    assert!(stores.len() > 9_000 && stores.iter().all(|f| (0.0..=1.0).contains(f)), "store fill rates");
    let html = fs::read_to_string(d.join("one/report.html")).unwrap();
    assert!(html.contains("Positions that miss service"));

    // Three shards merge into the very same files.
    for i in 0..3 {
        let shard = format!("{i}/3");
        ok(d, &["run", "chain/scenario.toml", "--no-plots", "-q", "--shard", &shard, "--out", "shards"]);
    }
    ok(d, &["merge", "shards", "--out", "merged", "-q"]);
    for f in ["positions.csv", "summary.json", "replications.csv"] {
        assert!(fs::read(d.join("one").join(f)).unwrap() == fs::read(d.join("merged").join(f)).unwrap(), "{f} differs");
    }

    // size keeps every position's replications: refused with the reason, exit 2.
    let out = echelon_in(d).args(["size", "chain/scenario.toml", "--target", "fill_rate=0.95"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("10000 positions") && err.contains("10504"), "{err}");

    // check lists 10 SKUs per location and says how many more.
    let tree = ok(d, &["check", "chain/scenario.toml"]);
    assert!(tree.contains("… and 91 more SKUs") && tree.lines().count() < 10_000, "check's listing is cut");
}
