//! `[tables]` (issue 15): a network written as TOML and the same network written as CSV tables
//! give byte-identical results, under strategies and `--set` too; table files travel with
//! shards and saved results; bad tables are exit 2 with `file.csv:ROW:COL`.
//!
//! The network (tests/fixtures/tables/): a DC and three stores, two SKUs, base_stock, s_S and
//! r_Q policies with levels in units, days of cover, service targets and lead-time cover;
//! Poisson, normal, negative binomial and constant demand with weekly and monthly seasonality,
//! a trend, a BOPIS channel and an online location.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::echelon_in;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tables")
}

/// A folder with the network as `net.toml`: written as TOML (`csv = false`) or loading the CSV
/// tables beside it. Both files have the same name, so the outputs that name it agree.
fn network(csv: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    if csv {
        fs::copy(f.join("net-csv.toml"), dir.path().join("net.toml")).unwrap();
        for t in ["locations", "skus", "positions", "demand"] {
            fs::copy(f.join(format!("{t}.csv")), dir.path().join(format!("{t}.csv"))).unwrap();
        }
    } else {
        fs::copy(f.join("net.toml"), dir.path().join("net.toml")).unwrap();
    }
    dir
}

/// Runs `echelon args` in `dir`; panics with stderr unless it exits 0.
fn ok(dir: &Path, args: &[&str]) {
    let out = echelon_in(dir).args(args).output().unwrap();
    assert!(out.status.success(), "echelon {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

/// The bytes of summary.json and replications.csv in `dir/out`.
fn results(dir: &Path, out: &str) -> (Vec<u8>, Vec<u8>) {
    let o = dir.join(out);
    (fs::read(o.join("summary.json")).unwrap(), fs::read(o.join("replications.csv")).unwrap())
}

/// Runs the same command on both forms; the results must be the same bytes. Returns them.
fn same_results(toml: &Path, csv: &Path, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let run = |dir: &Path| {
        ok(dir, &[&["run", "net.toml", "--out", "o", "-q"], args].concat());
        let r = results(dir, "o");
        fs::remove_dir_all(dir.join("o")).unwrap();
        r
    };
    let (a, b) = (run(toml), run(csv));
    assert!(a.0 == b.0, "summary.json differs between TOML and CSV for {args:?}");
    assert!(a.1 == b.1, "replications.csv differs between TOML and CSV for {args:?}");
    a
}

#[test]
fn a_network_as_toml_and_as_csv_gives_the_same_bytes() {
    let (toml, csv) = (network(false), network(true));
    let base = same_results(toml.path(), csv.path(), &[]);
    // A strategy overlay and `--set` patches reach the rows of the tables as they reach entries.
    let lean = same_results(toml.path(), csv.path(), &["--strategy", "lean"]);
    assert!(lean.0 != base.0, "the strategy changes the results");
    let set = same_results(
        toml.path(),
        csv.path(),
        &["--set", "locations.store-2.policy.level=25", "--set", "positions.store-3/a.initial_on_hand=5"],
    );
    assert!(set.0 != base.0, "the patches change the results");
}

/// A shard or a saved result carries the tables it read: `merge` and `report` give the same
/// files after the tables changed or are gone.
#[test]
fn tables_travel_with_shards_and_saved_results() {
    let dir = network(true);
    let d = dir.path();
    ok(d, &["run", "net.toml", "--out", "one", "-q"]);
    for i in ["1/2", "0/2"] {
        ok(d, &["run", "net.toml", "--shard", i, "--out", "shards", "-q"]);
    }
    for e in fs::read_dir(d.join("shards")).unwrap() {
        let bytes = fs::read(e.unwrap().path()).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("store-1,b,base_stock,1.5lt"), "the shard holds the table");
    }
    let positions = fs::read_to_string(d.join("positions.csv")).unwrap();
    fs::write(d.join("positions.csv"), positions.replace("1.5lt", "99")).unwrap();
    ok(d, &["merge", "shards", "--out", "merged", "-q"]);
    assert!(results(d, "one") == results(d, "merged"), "merged with the tables as the shards read them");
    for t in ["net.toml", "locations.csv", "skus.csv", "positions.csv", "demand.csv"] {
        fs::remove_file(d.join(t)).unwrap();
    }
    fs::remove_file(d.join("one/summary.json")).unwrap();
    ok(d, &["report", "one", "-q"]);
    assert!(results(d, "one") == results(d, "merged"), "report redraws from the saved tables");
}

/// One bad table: `edit` changes the folder of the CSV network; `echelon check` must exit 2
/// with `want` (a `file:line:col:` and words of the message) on stderr.
struct Bad {
    what: &'static str,
    edit: fn(&Path),
    want: &'static [&'static str],
}

fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "test bug: {from:?} not in {file}");
    fs::write(p, text.replacen(from, to, 1)).unwrap();
}

const BAD: &[Bad] = &[
    Bad {
        what: "missing column",
        edit: |d| replace(d, "demand.csv", "location,sku,channel", "location,channel"),
        want: &["demand.csv:1:1:", "missing column `sku`"],
    },
    Bad {
        what: "unknown column",
        edit: |d| replace(d, "positions.csv", "initial_on_hand", "initial_onhand"),
        want: &["positions.csv:1:", "unknown column `initial_onhand`", "did you mean `initial_on_hand`"],
    },
    Bad {
        what: "unknown location",
        edit: |d| replace(d, "positions.csv", "store-3,a,r_Q", "store-33,a,r_Q"),
        want: &["positions.csv:3:1:", "unknown location 'store-33'"],
    },
    Bad {
        what: "unknown source",
        edit: |d| replace(d, "locations.csv", "store-3,store,dc", "store-3,store,dc-9"),
        want: &["locations.csv:8:15:", "dc-9"],
    },
    Bad {
        what: "text in a number",
        edit: |d| replace(d, "skus.csv", "a,10,15", "a,ten,15"),
        want: &["skus.csv:2:3:", "skus.unit_cost", "expected a number", "(found \"ten\")"],
    },
    Bad {
        what: "bad level",
        edit: |d| replace(d, "positions.csv", "10d", "10 days"),
        want: &["positions.csv:4:17:", "positions.level", "expected a stock level"],
    },
    Bad {
        what: "duplicate rows",
        edit: |d| replace(d, "demand.csv", "store-2,b,,poisson,2", "store-1,b,store,poisson,2"),
        want: &["demand.csv:6:1:", "duplicate row", "line 3"],
    },
    Bad {
        what: "ragged row",
        edit: |d| replace(d, "positions.csv", "store-1,b,base_stock,1.5lt,,,,,", "store-1,b,base_stock,1.5lt"),
        want: &["positions.csv:2:1:", "4 cells, the header has 9 columns"],
    },
    Bad {
        what: "missing file",
        edit: |d| fs::rename(d.join("skus.csv"), d.join("sku.csv")).unwrap(),
        want: &["net.toml:19:8:", "tables.skus", "skus.csv", "did you mean \"sku.csv\"?"],
    },
    Bad {
        what: "not UTF-8",
        edit: |d| fs::write(d.join("skus.csv"), b"id,description\na,caf\xe9\n").unwrap(),
        want: &["skus.csv:2:6:", "not valid UTF-8"],
    },
    Bad {
        what: "unclosed quote",
        edit: |d| replace(d, "locations.csv", "store-1;dc\n", "store-1;dc\nextra,store,\"dc\n"),
        want: &["locations.csv:10:13:", "not closed"],
    },
    Bad {
        what: "a value decoded later",
        edit: |d| replace(d, "locations.csv", "store-3,store,dc,2,", "store-3,store,dc,2.5,"),
        want: &["locations.csv:8:18:", "whole number"],
    },
    Bad {
        what: "unknown [tables] key",
        edit: |d| replace(d, "net.toml", "skus = ", "sku = "),
        want: &["net.toml:19:1:", "unknown key `sku` in [tables]", "did you mean `skus`"],
    },
    Bad {
        what: "demand and history",
        edit: |d| replace(d, "net.toml", "demand = ", "history = \"demand.csv\"\ndemand = "),
        want: &["tables.demand", "both `demand` and `history`"],
    },
];

#[test]
fn bad_tables_are_exit_2_at_the_cell() {
    for b in BAD {
        let dir = network(true);
        (b.edit)(dir.path());
        let out = echelon_in(dir.path()).args(["check", "net.toml"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", b.what);
        for w in b.want {
            assert!(err.contains(w), "{}: {w:?} not in\n{err}", b.what);
        }
        assert!(!err.contains("panicked"), "{}: {err}", b.what);
    }
}

/// `history = "sales.csv"` fits at load time exactly what `echelon fit` writes: the scenario
/// with the history and the one with the fitted demand.csv give the same bytes.
#[test]
fn history_is_the_fit_of_echelon_fit() {
    let mut sales = String::from("date,location,sku,units\n");
    for day in 0..120u32 {
        let date = format!("2025-{:02}-{:02}", 5 + day / 30, 1 + day % 30);
        // Weekly ups and downs and a slow mover: deterministic, enough to fit every component.
        sales.push_str(&format!("{date},store-1,a,{}\n", 3 + (day * 7) % 5));
        if day % 6 == 0 {
            sales.push_str(&format!("{date},store-2,b,{}\n", 1 + day % 3));
        }
    }
    let (fitted, history) = (network(true), network(true));
    fs::write(fitted.path().join("sales.csv"), &sales).unwrap();
    ok(fitted.path(), &["fit", "sales.csv", "--out", "demand.csv", "-q"]);
    let demand = fs::read_to_string(fitted.path().join("demand.csv")).unwrap();
    assert!(demand.lines().count() == 3, "a header and two positions:\n{demand}");
    fs::write(history.path().join("sales.csv"), &sales).unwrap();
    replace(history.path(), "net.toml", "demand = \"demand.csv\"", "history = \"sales.csv\"");
    same_results(fitted.path(), history.path(), &["--replications", "8"]);
}
