//! Shards and merges (issue 11): a study split into 1, 2, 3 or 7 shards merges into exactly the
//! files one process writes; shards that do not belong together are refused, naming the
//! problem; `echelon report` redraws a folder from its saved results; results of replication
//! ranges merge exactly through the library.

use std::fs;
use std::path::Path;

use echelon::kpi::Kpi;
use echelon::runner::{Keep, RunResult, Scope};
use echelon::simulation::Simulation;

use crate::common::{echelon_in, model};

/// Copies a shipped scenario into `dir` (so paths in outputs are relative, as a user's are).
fn copy_shipped(dir: &Path, name: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    fs::copy(src, dir.join(name)).unwrap();
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

/// Every file of `a` is in `b` with the same bytes, and `b` has no other (hidden files aside).
fn same_files(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(a), names(b), "{} vs {}", a.display(), b.display());
    for n in names(a) {
        let (x, y) = (fs::read(a.join(&n)).unwrap(), fs::read(b.join(&n)).unwrap());
        assert!(x == y, "{n} differs between {} and {}", a.display(), b.display());
    }
}

/// Runs `command` whole into `one`, then as `n` shards merged into `merged-n`, for each n.
fn shards_merge_exactly(dir: &Path, command: &[&str], counts: &[u64]) {
    ok(dir, &[command, &["--out", "one", "-q"]].concat());
    for &n in counts {
        let shards = format!("shards-{n}");
        // Shards in a scrambled order, and with other thread counts than the one-process run.
        for i in (0..n).rev() {
            let spec = format!("{i}/{n}");
            ok(dir, &[command, &["--shard", &spec, "--out", &shards, "--threads", "1", "-q"]].concat());
        }
        let merged = format!("merged-{n}");
        ok(dir, &["merge", &shards, "--out", &merged, "-q"]);
        same_files(&dir.join("one"), &dir.join(&merged));
    }
}

#[test]
fn run_shards_merge_into_the_one_process_files() {
    let dir = tempfile::tempdir().unwrap();
    copy_shipped(dir.path(), "winter-jackets.toml");
    shards_merge_exactly(dir.path(), &["run", "winter-jackets.toml", "--replications", "30"], &[1, 2, 3, 7]);
}

#[test]
fn compare_shards_merge_into_the_one_process_files() {
    let dir = tempfile::tempdir().unwrap();
    copy_shipped(dir.path(), "winter-jackets.toml");
    let cmd = ["compare", "winter-jackets.toml", "--strategies", "pull,push", "--replications", "20"];
    shards_merge_exactly(dir.path(), &[&cmd[..], &["--scope", "location:chicago-loop"]].concat(), &[1, 2, 3, 7]);
}

#[test]
fn sweep_shards_merge_into_the_one_process_files() {
    let dir = tempfile::tempdir().unwrap();
    copy_shipped(dir.path(), "base-stock.toml");
    let cmd = ["sweep", "base-stock.toml", "--set", "locations.store.policy.level=150,160", "--replications", "24"];
    shards_merge_exactly(dir.path(), &cmd, &[1, 2, 3, 7]);
}

/// `--shard env/N` takes the index from the scheduler's variable, as a job array sets it.
#[test]
fn shard_index_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    copy_shipped(dir.path(), "newsvendor.toml");
    for (i, var) in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"].iter().enumerate() {
        let out = echelon_in(dir.path())
            .args(["run", "newsvendor.toml", "--replications", "10", "--shard", "env/2", "--out", "s", "-q"])
            .env(var, i.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(dir.path().join("s/shard-0-of-2.echelon").exists() && dir.path().join("s/shard-1-of-2.echelon").exists());
    let (c, err) = code(dir.path(), &["run", "newsvendor.toml", "--shard", "env/2", "--out", "t", "-q"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("SLURM_ARRAY_TASK_ID"), "{err}");
    let (c, err) = code(dir.path(), &["run", "newsvendor.toml", "--shard", "2/2", "--out", "t", "-q"]);
    assert!(c == 2 && err.contains("shard 2 of 2 does not exist"), "{err}");
}

/// Missing, overlapping, foreign and damaged shards are refused with exit 2, naming the
/// problem and the shard to rerun; a failed shard rerun alone completes the study.
#[test]
fn bad_shard_sets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_shipped(d, "newsvendor.toml");
    let shard = |i: u64, n: u64, out: &str, extra: &[&str]| {
        let spec = format!("{i}/{n}");
        ok(
            d,
            &[&["run", "newsvendor.toml", "--replications", "12", "--shard", &spec, "--out", out, "-q"], extra]
                .concat(),
        );
    };
    shard(0, 3, "a", &[]);
    let (c, err) = code(d, &["merge", "a", "--out", "m", "-q"]);
    assert!(
        c == 2 && err.contains("replications 4..12 are missing (shard-1-of-3.echelon, shard-2-of-3.echelon)"),
        "{err}"
    );
    shard(2, 3, "a", &[]);
    let (c, err) = code(d, &["merge", "a", "--out", "m", "-q"]);
    assert!(c == 2 && err.contains("replications 4..8 are missing (shard-1-of-3.echelon)"), "{err}");
    assert!(!d.join("m/summary.json").exists());
    // The failed shard rerun alone: the study is complete.
    shard(1, 3, "a", &[]);
    ok(d, &["merge", "a", "--out", "m", "-q"]);

    // The same shard twice (copied under another name).
    fs::copy(d.join("a/shard-1-of-3.echelon"), d.join("a/shard-1-of-3-copy.echelon")).unwrap();
    let (c, err) = code(d, &["merge", "a", "--out", "m2", "-q"]);
    assert!(c == 2 && err.contains("overlap"), "{err}");
    fs::remove_file(d.join("a/shard-1-of-3-copy.echelon")).unwrap();

    // Another seed, another scenario text.
    shard(1, 3, "b", &["--seed", "99"]);
    let (c, err) = code(
        d,
        &["merge", "a/shard-0-of-3.echelon", "b/shard-1-of-3.echelon", "a/shard-2-of-3.echelon", "--out", "m3"],
    );
    assert!(c == 2 && err.contains("different studies") && err.contains("seeds 1 and 99"), "{err}");
    let text = fs::read_to_string(d.join("newsvendor.toml")).unwrap();
    fs::write(d.join("newsvendor.toml"), text.replace("replications", "# changed\nreplications")).unwrap();
    shard(1, 3, "c", &[]);
    let (c, err) = code(
        d,
        &["merge", "a/shard-0-of-3.echelon", "c/shard-1-of-3.echelon", "a/shard-2-of-3.echelon", "--out", "m4"],
    );
    assert!(c == 2 && err.contains("scenario files"), "{err}");

    // A truncated file and a file that is no shard.
    let bytes = fs::read(d.join("a/shard-2-of-3.echelon")).unwrap();
    fs::write(d.join("a/shard-2-of-3.echelon"), &bytes[..bytes.len() - 10]).unwrap();
    let (c, err) = code(d, &["merge", "a", "--out", "m5"]);
    assert!(c == 2 && err.contains("incomplete"), "{err}");
    fs::write(d.join("a/shard-2-of-3.echelon"), "hello").unwrap();
    let (c, err) = code(d, &["merge", "a", "--out", "m5"]);
    assert!(c == 2 && err.contains("not an echelon results file"), "{err}");
    let (c, err) = code(d, &["merge", "nowhere", "--out", "m5"]);
    assert!(c == 1 || c == 2, "{err}");
    assert!(!d.join("m5").join("summary.json").exists());
}

/// `echelon report DIR` rewrites the summary, charts and page from the saved results, byte for
/// byte, without simulating (it works after the scenario file is gone).
#[test]
fn report_redraws_a_run_from_its_saved_results() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_shipped(d, "winter-jackets.toml");
    ok(d, &["run", "winter-jackets.toml", "--replications", "12", "--out", "o", "-q"]);
    let keep = tempfile::tempdir().unwrap();
    for e in fs::read_dir(d.join("o")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), keep.path().join(e.file_name())).unwrap();
    }
    for e in fs::read_dir(d.join("o")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "png" || x == "svg" || x == "html" || x == "json") {
            fs::remove_file(p).unwrap();
        }
    }
    fs::remove_file(d.join("winter-jackets.toml")).unwrap();
    ok(d, &["report", "o", "-q"]);
    same_files(keep.path(), &d.join("o"));
    let (c, err) = code(d, &["report", "nowhere"]);
    assert!(c == 2 && err.contains("no saved results"), "{err}");
}

const STORE: &str = r#"
[simulation]
days = 120
replications = 40
[[skus]]
id = "a"
holding_cost = 1
stockout_cost = 4
[[skus]]
id = "b"
holding_cost = 1
stockout_cost = 9
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = { type = "poisson", mean = 3 }
policy = { type = "base_stock", level = 80 }
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
[[demand]]
location = "s1"
sku = "a"
distribution = { type = "poisson", mean = 4 }
[[demand]]
location = "s2"
sku = "b"
distribution = { type = "normal", mean = 5, sd = 2 }
"#;

/// Through the library: ranges merged give the whole run bit for bit, whatever the split and
/// the thread counts.
#[test]
fn ranges_merge_into_the_whole_run() {
    let m = model(STORE);
    let whole = Simulation::new(&m).threads(2).run().unwrap();
    for cuts in [vec![0, 40], vec![0, 1, 40], vec![0, 13, 14, 27, 40], vec![0, 5, 10, 15, 20, 25, 30, 35, 40]] {
        let parts: Vec<RunResult> =
            cuts.windows(2).map(|w| Simulation::new(&m).threads(1).replications(w[0]..w[1]).run().unwrap()).collect();
        let merged = RunResult::merge(parts).unwrap();
        assert!(merged == whole, "split at {cuts:?}");
        assert_eq!(merged.summaries(), whole.summaries());
    }
    let a = Simulation::new(&m).replications(0..10).run().unwrap();
    let c = Simulation::new(&m).replications(20..30).run().unwrap();
    assert!(RunResult::merge(vec![a, c]).is_err(), "a gap is refused");
}

/// Scopes not kept stream: their means, spreads and extremes are exactly those of the kept
/// values, their quantiles within the sketch's documented relative error.
#[test]
fn streamed_summaries_match_kept_values() {
    let m = model(STORE);
    let kept = Simulation::new(&m).keep(Keep::All).run().unwrap();
    let streamed = Simulation::new(&m).run().unwrap();
    let (a, b) = (kept.summaries(), streamed.summaries());
    let eps = echelon::stats::sketch::RELATIVE_ERROR;
    for (s, scope) in kept.scopes.iter().enumerate() {
        for (k, kpi) in Kpi::ALL.iter().enumerate() {
            match (&a[s][k], &b[s][k]) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    assert_eq!(
                        (x.mean, x.sd, x.min, x.max, x.n),
                        (y.mean, y.sd, y.min, y.max, y.n),
                        "{scope:?} {kpi:?}"
                    );
                    let scale = x.max.abs().max(x.min.abs());
                    for (p, q) in [(x.p5, y.p5), (x.p50, y.p50), (x.p95, y.p95)] {
                        assert!((p - q).abs() <= eps * scale, "{scope:?} {kpi:?}: {p} vs {q}");
                    }
                }
                _ => panic!("{scope:?} {kpi:?}: defined in one run only"),
            }
        }
    }
    assert!(streamed.try_series(streamed.scope_index(Scope::Location(2)).unwrap(), Kpi::FillRate).is_none());
}

/// A shard whose header names one study but whose results are another network's (an edited
/// file) is refused with exit 2 at the merge, not a panic.
#[test]
fn results_that_do_not_fit_their_header_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_shipped(d, "newsvendor.toml");
    copy_shipped(d, "winter-jackets.toml");
    ok(d, &["run", "newsvendor.toml", "--replications", "4", "--shard", "0/1", "--out", "a", "-q"]);
    ok(d, &["run", "winter-jackets.toml", "--replications", "4", "--shard", "0/1", "--out", "b", "-q"]);
    let split = |bytes: &[u8]| {
        let at = 16 + bytes[16..].iter().position(|&b| b == b'\n').unwrap();
        (serde_json::from_slice::<serde_json::Value>(&bytes[16..at]).unwrap(), bytes[at + 1..].to_vec())
    };
    let (mut header, _) = split(&fs::read(d.join("b/shard-0-of-1.echelon")).unwrap());
    let (theirs, body) = split(&fs::read(d.join("a/shard-0-of-1.echelon")).unwrap());
    for k in ["runs", "results_bytes", "rows_bytes"] {
        header[k] = theirs[k].clone();
    }
    let mut forged = b"ECHELON-RESULTS\n".to_vec();
    forged.extend(serde_json::to_vec(&header).unwrap());
    forged.push(b'\n');
    forged.extend(body);
    fs::create_dir(d.join("c")).unwrap();
    fs::write(d.join("c/shard-0-of-1.echelon"), forged).unwrap();
    let (c, err) = code(d, &["merge", "c", "--out", "m", "-q"]);
    assert!(c == 2 && err.contains("do not fit"), "exit {c}: {err}");
    assert!(!d.join("m/summary.json").exists());
}
