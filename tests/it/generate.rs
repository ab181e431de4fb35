//! `echelon generate`: the synthetic retailer's tables follow the tables contract (headers, row
//! counts, cell syntax), validate as a scenario, are the same bytes for a seed, and its sales
//! history is sorted, in range and drawn from demand.csv (issue 15, Deliver 3).

use std::collections::HashMap;
use std::fs;

use echelon::calendar::{civil_from_days, days_from_civil};
use echelon::generate::{DemandKind, Spec, Tables, build, generate};
use echelon::scenario::Variant;
use echelon::{Model, Scenario};

use crate::common::{echelon_in, run_with};

/// The cells of a CSV line (RFC 4180 quotes; the generator writes no line breaks in cells).
fn cells(line: &str) -> Vec<String> {
    let (mut out, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    out.push(cell);
    out
}

/// The rows of a table as maps from column to cell (empty cells left out).
fn rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut lines = text.lines();
    let header = cells(lines.next().expect("a header"));
    lines
        .map(|l| {
            let c = cells(l);
            assert_eq!(c.len(), header.len(), "ragged row: {l}");
            header.iter().cloned().zip(c).filter(|(_, v)| !v.is_empty()).collect()
        })
        .collect()
}

fn small() -> Spec {
    Spec { stores: 6, skus: 20, days: 70, ..Spec::default() }
}

// Columns the contract allows in each table (tables-contract.md).
const LOCATION_COLUMNS: &[&str] = &[
    "id",
    "type",
    "source",
    "lead_time",
    "region",
    "tier",
    "holding_cost",
    "stockout_cost",
    "order_cost",
    "capacity_per_day",
    "order_delay",
    "weight",
    "initial_pipeline",
    "rationing",
    "fulfil_from",
    "policy",
    "level",
    "s",
    "S",
    "min",
    "max",
    "r",
    "Q",
    "review_days",
    "description",
];
const SKU_COLUMNS: &[&str] =
    &["id", "unit_cost", "price", "holding_cost", "stockout_cost", "order_cost", "discrete", "description"];
const POSITION_COLUMNS: &[&str] = &[
    "location",
    "sku",
    "policy",
    "level",
    "s",
    "S",
    "min",
    "max",
    "r",
    "Q",
    "review_days",
    "initial_on_hand",
    "holding_cost",
    "stockout_cost",
    "order_cost",
];
const DEMAND_COLUMNS: &[&str] = &[
    "location",
    "sku",
    "distribution",
    "mean",
    "sd",
    "probability",
    "channel",
    "weekly",
    "monthly",
    "trend_per_year",
    "values",
];
const SALES_COLUMNS: &[&str] = &["date", "location", "sku", "units", "on_hand", "in_stock"];

#[test]
fn headers_are_the_contracts() {
    let t = generate(&small()).unwrap();
    let header = |s: &str| s.lines().next().unwrap().to_string();
    assert_eq!(header(&t.locations), "id,type,source,lead_time,region,tier,description");
    assert_eq!(header(&t.skus), "id,unit_cost,price,holding_cost,stockout_cost,order_cost,description");
    assert_eq!(header(&t.positions), "location,sku,policy,level,s,S,review_days");
    assert_eq!(header(&t.demand), "location,sku,distribution,mean,sd,probability,weekly,monthly,trend_per_year");
    assert_eq!(header(&t.sales), "date,location,sku,units,on_hand");
    for (text, allowed, required) in [
        (&t.locations, LOCATION_COLUMNS, &["id", "type"][..]),
        (&t.skus, SKU_COLUMNS, &["id"][..]),
        (&t.positions, POSITION_COLUMNS, &["location", "sku"][..]),
        (&t.demand, DEMAND_COLUMNS, &["location", "sku", "distribution"][..]),
        (&t.sales, SALES_COLUMNS, &["date", "location", "sku", "units"][..]),
    ] {
        let h = cells(text.lines().next().unwrap());
        assert!(h.iter().all(|c| allowed.contains(&c.as_str())), "{h:?}");
        assert!(required.iter().all(|r| h.iter().any(|c| c == r)), "{h:?}");
    }
}

#[test]
fn row_counts_and_cells() {
    let spec = Spec { stores: 30, skus: 40, days: 0, ..Spec::default() };
    let t = generate(&spec).unwrap();
    let dcs = spec.dc_count();
    assert_eq!(dcs, 1);
    assert_eq!(rows(&t.locations).len(), 1 + dcs + 30);
    assert_eq!(rows(&t.skus).len(), 40);
    assert_eq!(rows(&t.positions).len(), 30 * 40 + dcs * 40, "store positions + DC positions");
    assert_eq!(rows(&t.demand).len(), 30 * 40);
    assert_eq!(t.sales.lines().count(), 1, "--days 0: a header only");
    // Level cells use the contract's syntax: units, `5d` or `95%`.
    for r in rows(&t.positions) {
        for key in ["level", "s", "S"] {
            if let Some(v) = r.get(key) {
                let ok = v.parse::<f64>().is_ok()
                    || v.strip_suffix('d').is_some_and(|x| x.parse::<f64>().is_ok())
                    || v.strip_suffix('%').is_some_and(|x| x.parse::<f64>().is_ok_and(|p| p > 50.0 && p < 100.0));
                assert!(ok, "{key} = {v}");
            }
        }
    }
    for r in rows(&t.demand) {
        assert_eq!(r["weekly"].split(' ').count(), 7, "{r:?}");
        assert!(r.get("monthly").is_none_or(|m| m.split(' ').count() == 12), "{r:?}");
        let has = |k: &str| r.contains_key(k);
        match r["distribution"].as_str() {
            "poisson" => assert!(!has("sd") && !has("probability")),
            "negative_binomial" => assert!(has("sd") && !has("probability")),
            "intermittent" => assert!(has("sd") && has("probability")),
            other => panic!("distribution {other}"),
        }
    }
}

#[test]
fn same_seed_same_files_other_seed_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let spec = small();
    build(&spec).unwrap().write(&dir.path().join("a")).unwrap();
    build(&spec).unwrap().write(&dir.path().join("b")).unwrap();
    build(&Spec { seed: 2, ..spec.clone() }).unwrap().write(&dir.path().join("c")).unwrap();
    let in_memory = generate(&spec).unwrap();
    for name in echelon::generate::FILES {
        let a = fs::read(dir.path().join("a").join(name)).unwrap();
        assert_eq!(a, fs::read(dir.path().join("b").join(name)).unwrap(), "{name}");
        if name != "scenario.toml" && name != "positions.csv" {
            assert_ne!(a, fs::read(dir.path().join("c").join(name)).unwrap(), "{name} ignores the seed");
        }
    }
    let text = |n: &str| fs::read_to_string(dir.path().join("a").join(n)).unwrap();
    assert_eq!(in_memory.demand, text("demand.csv"));
    assert_eq!(in_memory.sales, text("sales.csv"));
    assert_eq!(in_memory.scenario, text("scenario.toml"));
}

/// The sales history: dates in the `days` before the start date, sorted by (date, location,
/// sku) without duplicates, rows only for sales or censored days, a few censored days.
#[test]
fn sales_are_sorted_in_range_and_censored_on_a_few_days() {
    let spec = Spec { stores: 8, skus: 30, days: 120, start_date: (2026, 3, 1), ..Spec::default() };
    let t = generate(&spec).unwrap();
    let start = days_from_civil(2026, 3, 1);
    let (first, last) = (civil_from_days(start - 120), civil_from_days(start - 1));
    let date = |(y, m, d): (i32, u32, u32)| format!("{y:04}-{m:02}-{d:02}");
    let (first, last) = (date(first), date(last));
    let mut previous: Option<(String, String, String)> = None;
    let mut censored = 0;
    let rows = rows(&t.sales);
    for r in &rows {
        let key = (r["date"].clone(), r["location"].clone(), r["sku"].clone());
        assert!(key.0 >= first && key.0 <= last, "{key:?} outside {first}..{last}");
        if let Some(p) = &previous {
            assert!(*p < key, "{p:?} then {key:?}: not sorted or a duplicate");
        }
        previous = Some(key);
        let (units, on_hand): (u64, u64) = (r["units"].parse().unwrap(), r["on_hand"].parse().unwrap());
        assert!(units > 0 || on_hand == 0, "{r:?}: a row without sales that is not censored");
        censored += usize::from(on_hand == 0);
    }
    assert_eq!(rows.first().unwrap()["date"], first);
    let share = censored as f64 / (8 * 30 * 120) as f64;
    assert!(share > 0.001 && share < 0.05, "censored position-days: {share:.4}");
}

/// The mean of each of a few positions' sales on the days it was in stock is its demand.csv mean
/// (times the average seasonal multiplier of those days) within 4 standard errors plus 2 % for
/// the censoring: days that end empty are the high-demand days, so excluding them lowers the
/// mean a little.
#[test]
fn sales_means_are_the_demand_means() {
    let spec = Spec { stores: 5, skus: 40, days: 730, ..Spec::default() };
    let r = build(&spec).unwrap();
    let t = generate(&spec).unwrap();
    let mult = r.history_multipliers();
    let first = days_from_civil(spec.start_date.0, spec.start_date.1, spec.start_date.2) - 730;
    let mut chosen = Vec::new();
    for kind in [DemandKind::Poisson, DemandKind::NegativeBinomial, DemandKind::Intermittent] {
        let mut of_kind: Vec<(usize, usize)> =
            (0..5).flat_map(|s| (0..40).map(move |k| (s, k))).filter(|&(s, k)| r.position(s, k).kind == kind).collect();
        of_kind.sort_by(|a, b| r.position(b.0, b.1).mean.total_cmp(&r.position(a.0, a.1).mean));
        chosen.extend(of_kind.into_iter().take(3));
    }
    assert_eq!(chosen.len(), 9, "three positions of each kind");
    for (s, k) in chosen {
        let (store, sku) = (&r.stores[s].id, &r.skus[k].id);
        let mut sold = vec![0.0; 730];
        let mut censored = vec![false; 730];
        for row in rows(&t.sales).iter().filter(|x| &x["location"] == store && &x["sku"] == sku) {
            let (y, m, d) = {
                let p: Vec<&str> = row["date"].split('-').collect();
                (p[0].parse().unwrap(), p[1].parse().unwrap(), p[2].parse().unwrap())
            };
            let day = (days_from_civil(y, m, d) - first) as usize;
            sold[day] = row["units"].parse().unwrap();
            censored[day] = row["on_hand"] == "0";
        }
        let days: Vec<usize> = (0..730).filter(|&d| !censored[d]).collect();
        let n = days.len() as f64;
        let mean = days.iter().map(|&d| sold[d]).sum::<f64>() / n;
        let p = r.position(s, k);
        let m = days.iter().map(|&d| mult[r.skus[k].category][d]).sum::<f64>() / n;
        let expected = p.mean * m;
        let se = p.sd * m.sqrt() / n.sqrt();
        assert!(
            (mean - expected).abs() <= 4.0 * se + 0.02 * expected,
            "{store}/{sku} ({:?}): sold {mean:.4} a day in stock, expected {expected:.4} ± {:.4}",
            p.kind,
            4.0 * se
        );
    }
}

/// The tables written as the equivalent TOML validate, compile with every strategy and the
/// stress test of scenario.toml, and run. (In a build without the intermittent distribution,
/// intermittent rows are checked as negative binomials of the same mean and sd.)
#[test]
fn the_tables_validate_and_run_as_a_scenario() {
    let spec = Spec { stores: 6, skus: 15, days: 0, dcs: Some(2), ..Spec::default() };
    let t = generate(&spec).unwrap();
    let text = scenario_as_toml(&t, true);
    let sc = match Scenario::parse("retail.toml", &text) {
        Err(e) if e.to_string().contains("unknown variant `intermittent`") => {
            Scenario::parse("retail.toml", &scenario_as_toml(&t, false))
        }
        other => other,
    }
    .unwrap_or_else(|e| panic!("the generated tables do not validate:\n{e}"));
    assert!(sc.warnings.is_empty(), "{:?}", sc.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>());
    let model = Model::compile(&sc);
    assert_eq!(model.n_pos(), 6 * 15 + 2 * 15);
    let result = run_with(&model, 2, 1);
    assert_eq!(result.range(), 0..2);
    let variant = |strategy: &str, stress: Option<&str>| Variant {
        strategy: Some(strategy.into()),
        stress: stress.map(String::from),
        ..Variant::default()
    };
    let mut text = scenario_as_toml(&t, false);
    text = text.replace("days = 365", "days = 30");
    for (strategy, stress) in [("pull", None), ("tiered", Some("supplier-strike")), ("rebalance", None)] {
        let sc = Scenario::parse_variant("retail.toml", &text, &variant(strategy, stress))
            .unwrap_or_else(|e| panic!("{strategy}/{stress:?}: {e}"));
        run_with(&Model::compile(&sc), 1, 1);
    }
}

/// scenario.toml without its `[tables]` section, followed by the tables as TOML arrays.
fn scenario_as_toml(t: &Tables, intermittent: bool) -> String {
    let mut out = String::new();
    let mut in_tables = false;
    for line in t.scenario.lines() {
        if line.starts_with('[') {
            in_tables = line.starts_with("[tables]");
        }
        if !in_tables {
            out.push_str(line);
            out.push('\n');
        }
    }
    // Array-of-tables entries go before the first strategy table.
    let at = out.find("\n[strategies").expect("strategies");
    let mut arrays = String::new();
    for r in rows(&t.skus) {
        arrays.push_str("\n[[skus]]\n");
        for (k, v) in &r {
            arrays
                .push_str(&format!("{k} = {}\n", if k == "id" || k == "description" { quoted(v) } else { v.clone() }));
        }
    }
    for r in rows(&t.locations) {
        arrays.push_str("\n[[locations]]\n");
        for (k, v) in &r {
            let value = if k == "lead_time" { v.clone() } else { quoted(v) };
            arrays.push_str(&format!("{k} = {value}\n"));
        }
    }
    for r in rows(&t.positions) {
        let mut policy = format!("type = {}", quoted(&r["policy"]));
        for key in ["level", "s", "S", "review_days"] {
            if let Some(v) = r.get(key) {
                policy.push_str(&format!(", {key} = {}", level(v)));
            }
        }
        arrays.push_str(&format!(
            "\n[[positions]]\nlocation = {}\nsku = {}\npolicy = {{ {policy} }}\n",
            quoted(&r["location"]),
            quoted(&r["sku"])
        ));
    }
    for r in rows(&t.demand) {
        let mut dist = r["distribution"].clone();
        if dist == "intermittent" && !intermittent {
            dist = "negative_binomial".into();
        }
        let mut d = format!("type = {}, mean = {}", quoted(&dist), r["mean"]);
        for key in ["sd", "probability"] {
            if let Some(v) = r.get(key).filter(|_| key == "sd" || dist == "intermittent") {
                d.push_str(&format!(", {key} = {v}"));
            }
        }
        let list = |v: &str| format!("[{}]", v.split(' ').collect::<Vec<_>>().join(", "));
        let mut season = format!("weekly = {}", list(&r["weekly"]));
        if let Some(m) = r.get("monthly") {
            season.push_str(&format!(", monthly = {}", list(m)));
        }
        arrays.push_str(&format!(
            "\n[[demand]]\nlocation = {}\nsku = {}\ndistribution = {{ {d} }}\nseasonality = {{ {season} }}\n",
            quoted(&r["location"]),
            quoted(&r["sku"])
        ));
        if let Some(trend) = r.get("trend_per_year") {
            arrays.push_str(&format!("trend_per_year = {trend}\n"));
        }
    }
    out.insert_str(at, &arrays);
    out
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// A level cell as TOML: `5d` → `{ days = 5 }`, `95%` → `{ service = 0.95 }`, units as they are.
fn level(v: &str) -> String {
    if let Some(d) = v.strip_suffix('d') {
        format!("{{ days = {d} }}")
    } else if let Some(p) = v.strip_suffix('%') {
        format!("{{ service = {} }}", p.parse::<f64>().unwrap() / 100.0)
    } else {
        v.to_string()
    }
}

#[test]
fn cli_writes_the_files_and_refuses_a_non_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["generate", "--stores", "4", "--skus", "6", "--days", "21", "--out", "chain"];
    let out = echelon_in(dir.path()).args(args).assert().success().get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    for name in echelon::generate::FILES {
        assert!(out.contains(name), "{name} not reported:\n{out}");
        assert!(dir.path().join("chain").join(name).is_file(), "{name} not written");
    }
    assert!(out.contains("24 rows") && out.contains("4 stores"), "{out}");
    let before = fs::read(dir.path().join("chain/sales.csv")).unwrap();
    let refused = echelon_in(dir.path()).args(args).assert().code(2).get_output().stderr.clone();
    let refused = String::from_utf8(refused).unwrap();
    assert!(refused.contains("not empty") && refused.contains("--force"), "{refused}");
    echelon_in(dir.path()).args(args).args(["--force", "--quiet"]).assert().success().stdout("");
    assert_eq!(before, fs::read(dir.path().join("chain/sales.csv")).unwrap(), "same arguments, same bytes");
}

#[test]
fn cli_bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (&["--stores", "0", "--skus", "5"][..], "--stores"),
        (&["--stores", "3", "--skus", "5", "--dcs", "4"][..], "DCs"),
        (&["--stores", "3", "--skus", "5", "--start-date", "2026-02-30"][..], "--start-date"),
        (&["--stores", "3", "--skus", "x"][..], "--skus"),
        (&["--stores", "3"][..], "--skus"),
    ] {
        let a = echelon_in(dir.path()).arg("generate").args(args).args(["--out", "o"]).assert().code(2);
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(!dir.path().join("o").exists(), "a refused generate wrote files");
}
