//! Every figure the docs quote is produced by the command quoted beside it.
//!
//! `FIGURES` lists, for README.md, scenarios/README.md and the headers of
//! scenarios/winter-jackets.toml and scenarios/omnichannel.toml, each quoted text with `{}` where a figure stands and how the
//! figure is computed: by running the binary with the quoted command (into a temporary folder,
//! without charts) and formatting the result at the precision the doc prints it. The test fills
//! the figures into the text and requires the doc to contain it (line breaks, comment marks and
//! runs of spaces ignored), so a figure that drifts — a changed scenario, engine or default —
//! fails here with the figure the command now gives. Theory figures quoted next to simulated
//! ones are either computed here (the newsvendor and base-stock costs, the exact base-stock
//! level for 97 %, the mean of a noisy lead time) or kept literal in the text and asserted by
//! `gallery`, which recomputes them (15.69, 140.40 and 70.20, 94.05 and 0.796, Chen et al.'s
//! 2.5, 1.625 and 1.281). Commands run once per test (`Runs`); the slowest are the winter
//! jackets' `compare` and the two `size` runs. The Speed section's timings and test counts are
//! machine measurements and not checked.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use crate::common::{TraceRow, big_phi, parse_trace};

mod lessons;

const README: &str = "README.md";
const GALLERY: &str = "scenarios/README.md";
const JACKETS: &str = "scenarios/winter-jackets.toml";
const OMNI: &str = "scenarios/omnichannel.toml";

/// `summary.json` of the omnichannel scenario under a strategy (and a stress test).
fn omni(r: &mut Runs, strategy: &str, stress: Option<&str>) -> Rc<Value> {
    let stress = stress.map_or(String::new(), |s| format!(" --stress {s}"));
    r.run(&format!("{OMNI} --strategy {strategy}{stress}"))
}

/// One quoted text: `{}` marks each figure, `values` computes them in order.
struct Figure {
    doc: &'static str,
    text: &'static str,
    values: fn(&mut Runs) -> Vec<String>,
}

/// Outputs of the quoted commands, each run once per test.
struct Runs {
    dir: tempfile::TempDir,
    json: HashMap<String, Rc<Value>>,
    traces: HashMap<String, Rc<Vec<TraceRow>>>,
}

impl Runs {
    fn new() -> Runs {
        Runs { dir: tempfile::tempdir().unwrap(), json: HashMap::new(), traces: HashMap::new() }
    }

    /// Runs `echelon ARGS --out DIR --quiet EXTRA` in the repository root and returns `DIR/file`.
    fn output(&mut self, args: &str, extra: &[&str], file: &str) -> Rc<Value> {
        if let Some(v) = self.json.get(args) {
            return v.clone();
        }
        let out = self.dir.path().join(format!("out-{}", self.json.len()));
        let mut cmd = crate::common::echelon_in(&root());
        cmd.args(args.split_whitespace()).arg("--out").arg(&out).arg("--quiet").args(extra);
        let t0 = std::time::Instant::now();
        let o = cmd.output().unwrap();
        println!("  echelon {args}: {:.1} s", t0.elapsed().as_secs_f64());
        assert!(o.status.success(), "echelon {args}: {}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read(out.join(file)).unwrap_or_else(|e| panic!("echelon {args}: {file}: {e}"));
        let v: Rc<Value> = Rc::new(serde_json::from_slice(&text).unwrap());
        self.json.insert(args.to_string(), v.clone());
        v
    }

    /// `summary.json` of `echelon run ARGS`.
    fn run(&mut self, args: &str) -> Rc<Value> {
        self.output(&format!("run {args}"), &["--no-plots"], "summary.json")
    }

    /// `comparison.json` of `echelon compare ARGS`.
    fn compare(&mut self, args: &str) -> Rc<Value> {
        self.output(&format!("compare {args}"), &[], "comparison.json")
    }

    /// `sweep.json` of `echelon sweep ARGS`.
    fn sweep(&mut self, args: &str) -> Rc<Value> {
        self.output(&format!("sweep {args}"), &[], "sweep.json")
    }

    /// `sizing.json` of `echelon size ARGS`.
    fn size(&mut self, args: &str) -> Rc<Value> {
        self.output(&format!("size {args}"), &[], "sizing.json")
    }

    /// The rows of `echelon trace ARGS --out FILE`.
    fn trace(&mut self, args: &str) -> Rc<Vec<TraceRow>> {
        if let Some(t) = self.traces.get(args) {
            return t.clone();
        }
        let out = self.dir.path().join(format!("trace-{}.csv", self.traces.len()));
        let mut cmd = crate::common::echelon_in(&root());
        cmd.arg("trace").args(args.split_whitespace()).arg("--out").arg(&out);
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "echelon trace {args}: {}", String::from_utf8_lossy(&o.stderr));
        let rows = Rc::new(parse_trace(&std::fs::read_to_string(&out).unwrap()));
        self.traces.insert(args.to_string(), rows.clone());
        rows
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The number at a `/`-separated path of a JSON value (ids contain dots and dashes).
fn at(v: &Value, path: &str) -> f64 {
    let mut x = v;
    for key in path.split('/') {
        x = match key.parse::<usize>() {
            Ok(i) if x.is_array() => &x[i],
            _ => &x[key],
        };
    }
    x.as_f64().unwrap_or_else(|| panic!("{path}: not a number: {x}"))
}

/// The paired difference `variant − baseline` of a KPI in `comparison.json`.
fn paired<'a>(c: &'a Value, variant: &str, kpi: &str) -> &'a Value {
    c["paired"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["variant"] == variant && p["kpi"] == kpi)
        .unwrap_or_else(|| panic!("no paired {kpi} of {variant}"))
}

/// As the terminal prints a number (four significant digits).
fn num(x: f64) -> String {
    echelon::report::fmt_num(x)
}

/// As the terminal prints a share ("83.60 %").
fn pct(x: f64) -> String {
    echelon::report::fmt_pct(x)
}

/// As the sizing table prints a level: whole units without decimals.
fn level(x: f64) -> String {
    if x.fract() == 0.0 { fix(x, 0) } else { num(x) }
}

/// A share as a percentage with `d` decimals ("98.2 %").
fn pct_d(x: f64, d: usize) -> String {
    format!("{:.*} %", d, 100.0 * x)
}

/// A number with `d` decimals.
fn fix(x: f64, d: usize) -> String {
    format!("{x:.*}", d)
}

/// Population variance.
fn var(x: &[f64]) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64
}

/// A column of the trace rows of one location.
fn column(rows: &[TraceRow], location: &str, f: fn(&TraceRow) -> f64) -> Vec<f64> {
    rows.iter().filter(|r| r.location == location).map(f).collect()
}

/// A number at three significant digits, as the Beer Game lesson quotes variances (5.8, 53, 494).
fn sig(x: f64) -> String {
    if x >= 10.0 { fix(x, 0) } else { fix(x, 1) }
}

const BEER: &str = "scenarios/beer-game.toml";
const BEER_STAGES: [&str; 4] = ["retailer", "wholesaler", "distributor", "factory"];

/// Each stage's order variance (retailer first) in the Beer Game trace of a strategy.
fn beer_variances(r: &mut Runs, args: &str) -> Vec<f64> {
    let t = r.trace(args);
    BEER_STAGES.iter().map(|s| var(&column(&t, s, |x| x.ordered))).collect()
}

/// The same, over the variance of customer demand: the `bullwhip` chart.
fn beer_ratios(r: &mut Runs, args: &str) -> Vec<String> {
    let t = r.trace(args);
    let d = var(&column(&t, "retailer", |x| x.demand));
    beer_variances(r, args).iter().map(|v| sig(v / d)).collect()
}

const NORTH: [&str; 6] = ["chicago-loop", "minneapolis", "milwaukee", "detroit", "boston", "denver"];
const JACKETS_RUN: &str = "scenarios/winter-jackets.toml";
const JACKETS_COMPARE: &str = "scenarios/winter-jackets.toml";
const JACKETS_SIZE: &str = "scenarios/winter-jackets.toml --target fill_rate=0.97 --replications 200";
/// December (1–31 Dec 2026) in measured days from 1 September.
const DECEMBER: std::ops::RangeInclusive<i64> = 91..=121;

/// Winter jackets, trace of replication 0 in December: (north's lost share, Chicago DC's and
/// Phoenix DC's average on hand, both sizes).
fn jackets_december(r: &mut Runs) -> (f64, f64, f64) {
    let t = r.trace(JACKETS_RUN);
    let dec: Vec<&TraceRow> = t.iter().filter(|x| DECEMBER.contains(&x.day)).collect();
    let north = |x: &&&TraceRow| NORTH.contains(&x.location.as_str());
    let demand: f64 = dec.iter().filter(north).map(|x| x.demand).sum();
    let lost: f64 = dec.iter().filter(north).map(|x| x.lost).sum();
    let days = DECEMBER.count() as f64;
    let on_hand = |l: &str| dec.iter().filter(|x| x.location == l).map(|x| x.on_hand).sum::<f64>() / days;
    (lost / demand, on_hand("dc-chicago"), on_hand("dc-phoenix"))
}

/// The sized positions of the winter-jackets sizing whose location is (not) in the north.
fn jackets_textbook_range(r: &mut Runs, north: bool) -> Vec<String> {
    let s = r.size(JACKETS_SIZE);
    let a: Vec<f64> = s["positions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| NORTH.contains(&p["location"].as_str().unwrap()) == north)
        .map(|p| at(p, "textbook_achieved/mean"))
        .collect();
    let lo = a.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    vec![fix(100.0 * lo, 2), pct(hi)]
}

/// One row of the README's winter-jackets sizing table.
fn jackets_size_row(r: &mut Runs, location: &str) -> Vec<String> {
    let s = r.size(JACKETS_SIZE);
    let p = s["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["location"] == location && p["sku"] == "jacket-m")
        .unwrap()
        .clone();
    vec![
        level(at(&p, "level")),
        num(at(&p, "safety_stock")),
        pct(at(&p, "achieved/mean")),
        pct(at(&p, "achieved/p5")),
        pct(at(&p, "achieved/p95")),
        level(at(&p, "textbook_level")),
        pct(at(&p, "textbook_achieved/mean")),
    ]
}

/// A network KPI mean of a variant of a comparison.
fn variant(c: &Value, v: &str, kpi: &str) -> f64 {
    at(c, &format!("kpis/{v}/{kpi}/mean"))
}

const FIGURES: &[Figure] = &[
    // ---------------------------------------------------------------------------------------
    // README.md
    Figure {
        doc: README,
        text: r#"{"variant": "base-stock", "baseline": "newsvendor", "kpi": "total_cost", "mean": {}, "se": {}, "ci95": [{}, {}], "share_greater": {}, "n": {}}"#,
        values: |r| {
            let c = r.compare("scenarios/newsvendor.toml scenarios/base-stock.toml");
            let p = paired(&c, "base-stock", "total_cost");
            vec![
                fix(at(p, "mean"), 3),
                fix(at(p, "se"), 4),
                fix(at(p, "ci95/0"), 4),
                fix(at(p, "ci95/1"), 4),
                fix(at(p, "share_greater"), 1),
                fix(at(p, "n"), 0),
            ]
        },
    },
    Figure {
        doc: README,
        text: "says: the 3-day lead time raises total cost by {} ± {} per day (95 % CI), and it is higher in {} of the {} replications. Independent runs would know the difference less well: the two costs alone have standard errors {} and {}, so their difference would have {} instead of the paired {};",
        values: |r| {
            let c = r.compare("scenarios/newsvendor.toml scenarios/base-stock.toml");
            let p = paired(&c, "base-stock", "total_cost");
            let (a, b) = (at(&c, "kpis/newsvendor/total_cost/se"), at(&c, "kpis/base-stock/total_cost/se"));
            vec![
                fix(at(p, "mean"), 3),
                fix((at(p, "ci95/1") - at(p, "ci95/0")) / 2.0, 4),
                pct_d(at(p, "share_greater"), 0),
                fix(at(p, "n"), 0),
                fix(a, 4),
                fix(b, 4),
                fix((a * a + b * b).sqrt(), 4),
                fix(at(p, "se"), 4),
            ]
        },
    },
    Figure {
        doc: README,
        text: "prints fill rate, stockout days, on-hand and cost per point and names the cheapest point (here S = {}, {} per day",
        values: |r| {
            let s = r.sweep("scenarios/base-stock.toml --set locations.store.policy.level=150,155,160,165,170");
            let best = cheapest(&s);
            vec![fix(at(&best, "set/locations.store.policy.level"), 0), num(at(&best, "network/total_cost/mean"))]
        },
    },
    Figure {
        doc: README,
        text: "grows with the logarithm of the range ({} for the store of `base-stock.toml`, {} for the 24 positions of `winter-jackets.toml`)",
        values: |r| {
            let b = r.size("scenarios/base-stock.toml --target fill_rate=0.97");
            let w = r.size(JACKETS_SIZE);
            vec![fix(at(&b, "runs"), 0), fix(at(&w, "runs"), 0)]
        },
    },
    Figure {
        doc: README,
        text: "`echelon size scenarios/base-stock.toml --target fill_rate=0.97` finds S = {} (exact theory {}, textbook {}).",
        values: |r| {
            let b = r.size("scenarios/base-stock.toml --target fill_rate=0.97");
            vec![
                num(at(&b, "positions/0/level")),
                fix(crate::gallery::base_stock_for_fill(0.97, 3, 50.0, 8.0), 1),
                num(at(&b, "positions/0/textbook_level")),
            ]
        },
    },
    Figure {
        doc: README,
        text: "chicago-loop/jacket-m s (S − s kept) {} {} {} [{}, {}] {} {}",
        values: |r| jackets_size_row(r, "chicago-loop"),
    },
    Figure {
        doc: README,
        text: "phoenix-central/jacket-m s (S − s kept) {} {} {} [{}, {}] {} {}",
        values: |r| jackets_size_row(r, "phoenix-central"),
    },
    Figure {
        doc: README,
        text: "The textbook reorder points reach only {}–{} in the north; reaching 97 % everywhere takes {} times the inventory investment at the textbook levels ({} against {})",
        values: |r| {
            let mut v = jackets_textbook_range(r, true);
            let s = r.size(JACKETS_SIZE);
            let (a, b) = (
                at(&s, "inventory_investment/sized_positions"),
                at(&s, "inventory_investment/textbook_sized_positions"),
            );
            v.extend([fix(a / b, 1), num(a), num(b)]);
            v
        },
    },
    Figure {
        doc: README,
        text: "(2 days with `extra_sd = 1.5` average {} days)",
        values: |_| {
            // Theory, no command: E max(1, round(2 + N(0, 1.5²))), summed over whole days.
            let p = |k: f64| big_phi((k + 0.5 - 2.0) / 1.5) - big_phi((k - 0.5 - 2.0) / 1.5);
            let mean: f64 = (-20..=30).map(|k| f64::from(k).max(1.0) * p(f64::from(k))).sum();
            vec![fix(mean, 1)]
        },
    },
    // ---------------------------------------------------------------------------------------
    // scenarios/README.md
    Figure {
        doc: GALLERY,
        text: "Expect a total cost of {} a day (on hand {}, backorders {}), fill rate {}, a stockout on {} of days",
        values: |r| {
            let s = r.run("scenarios/newsvendor.toml");
            let n = |k: &str| at(&s, &format!("network/{k}/mean"));
            vec![
                fix(n("total_cost"), 3),
                fix(n("avg_on_hand"), 2),
                fix(n("avg_backorders"), 2),
                pct_d(n("fill_rate"), 1),
                pct_d(n("stockout_rate"), 1),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "the theory gives {} a day, on hand {}, backorders {} and fill rate {}. The sweep",
        values: |_| theory(56.604, 1),
    },
    Figure {
        doc: GALLERY,
        text: "The theory gives {} a day, on hand {}, backorders {} and fill rate {}.",
        values: |_| theory(161.438, 3),
    },
    Figure {
        doc: GALLERY,
        text: "The sweep shows the cost curve with its flat bottom at {},",
        values: |r| {
            let s = r.sweep("scenarios/newsvendor.toml --set locations.store.policy.level=50,53,56.604,60,63");
            vec![fix(at(&cheapest(&s), "set/locations.store.policy.level"), 1)]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Expect {} a day (on hand {}, backorders {}, {} units in transit), fill rate {}. The comparison prices the two extra days of lead time at +{} a day (paired CI ± {}); `size` finds the level for a 97 % fill rate ({}) next to the textbook formula's ({}).",
        values: |r| {
            let s = r.run("scenarios/base-stock.toml");
            let n = |k: &str| at(&s, &format!("network/{k}/mean"));
            let c = r.compare("scenarios/newsvendor.toml scenarios/base-stock.toml");
            let p = paired(&c, "base-stock", "total_cost");
            let b = r.size("scenarios/base-stock.toml --target fill_rate=0.97");
            vec![
                fix(n("total_cost"), 3),
                fix(n("avg_on_hand"), 2),
                fix(n("avg_backorders"), 2),
                fix(n("avg_in_transit"), 0),
                pct_d(n("fill_rate"), 1),
                fix(at(p, "mean"), 2),
                fix((at(p, "ci95/1") - at(p, "ci95/0")) / 2.0, 2),
                num(at(&b, "positions/0/level")),
                num(at(&b, "positions/0/textbook_level")),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Expect {} a day (holding {}, backorders {}, orders {}: one every {} days; the theory gives 15.69); the best base-stock level (14, strategy `base-stock`) orders on {} of days and costs {}, {} more — the compare table shows the paired difference of {} a day",
        values: |r| {
            let s = r.run("scenarios/s-S-order-cost.toml");
            let n = |k: &str| at(&s, &format!("network/{k}/mean"));
            let c = r.compare("scenarios/s-S-order-cost.toml");
            let (cs, cb) = (variant(&c, "s-S", "total_cost"), variant(&c, "base-stock", "total_cost"));
            vec![
                fix(n("total_cost"), 2),
                fix(n("holding_cost"), 2),
                fix(n("stockout_cost"), 2),
                fix(n("order_cost"), 2),
                fix(1.0 / n("orders_per_day"), 1),
                pct_d(variant(&c, "base-stock", "orders_per_day"), 1),
                fix(cb, 2),
                pct_d(cb / cs - 1.0, 0),
                format!("+{}", num(at(paired(&c, "base-stock", "total_cost"), "mean"))),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Expect {} a day decentralised and {} centralised",
        values: |r| {
            let d = r.run("scenarios/risk-pooling-decentralised.toml");
            let c = r.run("scenarios/risk-pooling-centralised.toml");
            vec![fix(at(&d, "network/total_cost/mean"), 2), fix(at(&c, "network/total_cost/mean"), 2)]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Expect {} a day — of which {} is stock on the trucks, which no policy avoids — and {} units of store backorders (the recursion gives 94.05 and 0.796).",
        values: |r| {
            let s = r.run("scenarios/clark-scarf.toml");
            vec![
                fix(at(&s, "network/total_cost/mean"), 2),
                fix(at(&s, "network/in_transit_holding_cost/mean"), 1),
                fix(at(&s, "locations/store/avg_backorders/mean"), 2),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Expect a bullwhip of {}, {} and {} (theory 2.5, 1.625, 1.281) in the location table and the `bullwhip_locations` chart; the calmer forecasts also cost less ({} → {} → {} a day).",
        values: |r| {
            let s = r.run("scenarios/bullwhip.toml");
            let ids = ["store-p4", "store-p8", "store-p16"];
            let mut v: Vec<String> =
                ids.iter().map(|l| fix(at(&s, &format!("locations/{l}/bullwhip/mean")), 2)).collect();
            v.extend(ids.iter().map(|l| fix(at(&s, &format!("locations/{l}/total_cost/mean")), 2)));
            v
        },
    },
    Figure {
        doc: GALLERY,
        text: "The trace is the lesson: order variance {} (retailer) → {} → {} → {} (factory); the factory orders {} cases in week {}, owes up to {} in weeks {}–{}, then sits on {} from week {} and still has {} at the end.",
        values: |r| {
            let mut v: Vec<String> = beer_variances(r, BEER).iter().map(|&x| sig(x)).collect();
            let t = r.trace(BEER);
            let f: Vec<&TraceRow> = t.iter().filter(|x| x.location == "factory").collect();
            let big = f.iter().max_by(|a, b| a.ordered.total_cmp(&b.ordered)).unwrap();
            let owing: Vec<&&TraceRow> = f.iter().filter(|x| x.backorders > 0.0).collect();
            let owed = owing.iter().map(|x| x.backorders).fold(0.0, f64::max);
            // The glut: the first week after the backlog from which on-hand is its highest.
            let peak = f.iter().max_by(|a, b| a.on_hand.total_cmp(&b.on_hand).then(b.day.cmp(&a.day))).unwrap();
            v.extend([
                fix(big.ordered, 0),
                (big.day + 1).to_string(),
                fix(owed, 0),
                (owing.first().unwrap().day + 1).to_string(),
                (owing.last().unwrap().day + 1).to_string(),
                fix(peak.on_hand, 0),
                (peak.day + 1).to_string(),
                fix(f.last().unwrap().on_hand, 0),
            ]);
            v
        },
    },
    Figure {
        doc: GALLERY,
        text: "climbing by echelon ({} → {} → {} → {}), `fan_network` the backlog then the glut. Strategy `calm` (slower smoothing) gives {} → {} → {} → {};",
        values: |r| {
            let mut v = beer_ratios(r, BEER);
            v.extend(beer_ratios(r, "scenarios/beer-game.toml --strategy calm"));
            v
        },
    },
    Figure {
        doc: GALLERY,
        text: "Calm: JIT {} a day at {} fill against push's {} at {}. A 15-day port strike: JIT falls to {} fill and {} a day, push keeps {} at {}; both need about {} weeks to recover",
        values: |r| {
            let c = r.compare("scenarios/jit-vs-push-disruption.toml --stress port-strike");
            let mut v = Vec::new();
            for name in ["jit", "push", "jit+port-strike", "push+port-strike"] {
                v.push(fix(variant(&c, name, "total_cost"), 0));
                v.push(pct_d(variant(&c, name, "fill_rate"), 0));
            }
            // Order as quoted: cost then fill when calm, fill then cost under the strike.
            v.swap(4, 5);
            v.swap(6, 7);
            let weeks = |n: &str| variant(&c, n, "time_to_recover") / 7.0;
            let (a, b) = (weeks("jit+port-strike"), weeks("push+port-strike"));
            assert!((a.round() - b.round()).abs() < 1.0, "JIT {a} and push {b} weeks to recover");
            v.push(["zero", "one", "two", "three", "four", "five", "six"][a.round() as usize].to_string());
            v
        },
    },
    Figure {
        doc: GALLERY,
        text: "Expect tier A at {} fill and tier B at {}, with about {} units held in reserve on an average day; without tiers (`equal`) both fill {}. The network sells the same {} units a day in every strategy",
        values: |r| {
            let t = r.run("scenarios/tiered-launch.toml");
            let e = r.run("scenarios/tiered-launch.toml --strategy equal");
            let c = r.compare("scenarios/tiered-launch.toml");
            let sold: Vec<f64> = c["variants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| variant(&c, n.as_str().unwrap(), "units_sold"))
                .collect();
            let (lo, hi) =
                (sold.iter().copied().fold(f64::INFINITY, f64::min), sold.iter().copied().fold(0.0, f64::max));
            assert_eq!(fix(lo, 0), fix(hi, 0), "units sold per day differ across strategies: {sold:?}");
            vec![
                pct_d(at(&t, "tiers/A/fill_rate/mean"), 0),
                pct_d(at(&t, "tiers/B/fill_rate/mean"), 0),
                fix(at(&t, "locations/dc/reserve_held/mean"), 0),
                {
                    let (a, b) =
                        (pct_d(at(&e, "tiers/A/fill_rate/mean"), 0), pct_d(at(&e, "tiers/B/fill_rate/mean"), 0));
                    assert_eq!(a, b, "without tiers both tiers fill alike");
                    a
                },
                fix(hi, 0),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Under pull the north's stores fill {} and {} (tiers A and B) and the south's {} (tier C); the Phoenix DC sits on {} units on an average day against Chicago's {}. Push on each store's own forecast lifts the network from {} to {} and cuts the cost from {} to {} a day; rebalancing ({} units a day moved north) reaches {}; tiering lifts tier A to {}. JIT fails without safety stock four weeks from the factory; `size` shows the textbook reorder points reach only {}–{} in the north.",
        values: |r| {
            let s = r.run(JACKETS_RUN);
            let c = r.compare(JACKETS_COMPARE);
            let rb = r.run("scenarios/winter-jackets.toml --strategy rebalance");
            let ti = r.run("scenarios/winter-jackets.toml --strategy tiered");
            let mut v = vec![
                pct(at(&s, "tiers/A/fill_rate/mean")),
                pct(at(&s, "tiers/B/fill_rate/mean")),
                pct(at(&s, "tiers/C/fill_rate/mean")),
                num(at(&s, "locations/dc-phoenix/avg_on_hand/mean")),
                num(at(&s, "locations/dc-chicago/avg_on_hand/mean")),
                pct(variant(&c, "pull", "fill_rate")),
                pct(variant(&c, "push", "fill_rate")),
                num(variant(&c, "pull", "total_cost")),
                num(variant(&c, "push", "total_cost")),
                num(at(&rb, "network/units_transferred/mean")),
                pct(variant(&c, "rebalance", "fill_rate")),
                pct(at(&ti, "tiers/A/fill_rate/mean")),
            ];
            v.extend(jackets_textbook_range(r, true));
            v
        },
    },
    // ---------------------------------------------------------------------------------------
    // scenarios/winter-jackets.toml, the header
    Figure {
        doc: JACKETS,
        text: "its stores fill {} (tier A) and {} (tier B) of their demand, and in the peak the Chicago DC is empty — in the trace (replication 0) it holds {} jackets on an average December day (Phoenix {}) while the north loses {} of its December demand;",
        values: |r| {
            let s = r.run(JACKETS_RUN);
            let (lost, chicago, phoenix) = jackets_december(r);
            vec![
                pct(at(&s, "tiers/A/fill_rate/mean")),
                pct(at(&s, "tiers/B/fill_rate/mean")),
                fix(chicago, 0),
                fix(phoenix, 0),
                pct_d(lost, 0),
            ]
        },
    },
    Figure {
        doc: JACKETS,
        text: "its stores (tier C) fill {}, and Phoenix Central holds {} units on an average day against Chicago Loop's {} on a third of the demand; the southern stores sell through {} of the jackets they receive (north {} and {}), and the Phoenix DC sits on {} units on an average day (Chicago {}) and sells through {} of its stock (Chicago {});",
        values: |r| {
            let s = r.run(JACKETS_RUN);
            vec![
                pct(at(&s, "tiers/C/fill_rate/mean")),
                num(at(&s, "locations/phoenix-central/avg_on_hand/mean")),
                num(at(&s, "locations/chicago-loop/avg_on_hand/mean")),
                fix(at(&s, "tiers/C/sell_through/mean"), 3),
                fix(at(&s, "tiers/A/sell_through/mean"), 3),
                fix(at(&s, "tiers/B/sell_through/mean"), 3),
                num(at(&s, "locations/dc-phoenix/avg_on_hand/mean")),
                num(at(&s, "locations/dc-chicago/avg_on_hand/mean")),
                fix(at(&s, "locations/dc-phoenix/sell_through/mean"), 3),
                fix(at(&s, "locations/dc-chicago/sell_through/mean"), 3),
            ]
        },
    },
    Figure {
        doc: JACKETS,
        text: "a bullwhip of {} at the Chicago DC and {} at Phoenix",
        values: |r| {
            let s = r.run(JACKETS_RUN);
            vec![
                fix(at(&s, "locations/dc-chicago/bullwhip/mean"), 1),
                fix(at(&s, "locations/dc-phoenix/bullwhip/mean"), 1),
            ]
        },
    },
    Figure {
        doc: JACKETS,
        text: "fill rate total cost / day on hand (units) pull {} {} {} push {} {} {} push-national {} {} {} jit {} {} {} tiered {} {} {} rebalance {} {} {}",
        values: |r| {
            let c = r.compare(JACKETS_COMPARE);
            let mut v = Vec::new();
            for s in ["pull", "push", "push-national", "jit", "tiered", "rebalance"] {
                v.extend([
                    pct(variant(&c, s, "fill_rate")),
                    num(variant(&c, s, "total_cost")),
                    num(variant(&c, s, "avg_on_hand")),
                ]);
            }
            v
        },
    },
    Figure {
        doc: JACKETS,
        text: "the north fills {} (tier A), the southern stores sell through {}; but the DCs keep the national levels, so Phoenix still sits on {} units",
        values: |r| {
            let s = r.run("scenarios/winter-jackets.toml --strategy push");
            vec![
                pct(at(&s, "tiers/A/fill_rate/mean")),
                fix(at(&s, "tiers/C/sell_through/mean"), 3),
                num(at(&s, "locations/dc-phoenix/avg_on_hand/mean")),
            ]
        },
    },
    Figure {
        doc: JACKETS,
        text: "rebalance moves {} units a day from over-covered southern stores to northern stores running out (north {} in tier A); the south refills from the idle Phoenix DC, which falls to {} units.",
        values: |r| {
            let s = r.run("scenarios/winter-jackets.toml --strategy rebalance");
            vec![
                num(at(&s, "network/units_transferred/mean")),
                pct(at(&s, "tiers/A/fill_rate/mean")),
                num(at(&s, "locations/dc-phoenix/avg_on_hand/mean")),
            ]
        },
    },
    Figure {
        doc: JACKETS,
        text: "demand ({}, against {} under pull) and trims the southern stores to ten days of their own cover ({} units held in tier C instead of {}); tier B pays ({}).",
        values: |r| {
            let s = r.run("scenarios/winter-jackets.toml --strategy tiered");
            let p = r.run(JACKETS_RUN);
            vec![
                pct(at(&s, "tiers/A/fill_rate/mean")),
                pct(at(&p, "tiers/A/fill_rate/mean")),
                num(at(&s, "tiers/C/avg_on_hand/mean")),
                num(at(&p, "tiers/C/avg_on_hand/mean")),
                pct(at(&s, "tiers/B/fill_rate/mean")),
            ]
        },
    },
    // ---------------------------------------------------------------------------------------
    // scenarios/omnichannel.toml, the header, and its lesson in scenarios/README.md
    Figure {
        doc: OMNI,
        text: "central: walk-in customers fill {} of their demand; the web shop's orders are filled {} from the e-commerce DC, in {} days, at {} a day of parcels; net revenue {} a day;",
        values: |r| {
            let c = omni(r, "central", None);
            vec![
                pct(at(&c, "channels/store/fill_rate/mean")),
                pct(at(&c, "channels/online/fill_rate/mean")),
                num(at(&c, "channels/online/avg_delivery_days/mean")),
                num(at(&c, "channels/online/fulfilment_cost/mean")),
                num(at(&c, "network/net_revenue/mean")),
            ]
        },
    },
    Figure {
        doc: OMNI,
        text: "ship-from-store: online fill rises to {} and delivery falls to {} days, stores shipping {} of the online units — but walk-in fill falls to {} (the tier-A stores that ship: {}, against {} under central; of their BOPIS orders {} are picked up the same day, the rest when the store DC's shipment arrives) and net revenue to {} a day;",
        values: |r| {
            let (u, c) = (omni(r, "ship-from-store", None), omni(r, "central", None));
            vec![
                pct(at(&u, "channels/online/fill_rate/mean")),
                num(at(&u, "channels/online/avg_delivery_days/mean")),
                pct(at(&u, "channels/online/ship_from_store_share/mean")),
                pct(at(&u, "channels/store/fill_rate/mean")),
                pct(at(&u, "tiers/A/fill_rate/mean")),
                pct(at(&c, "tiers/A/fill_rate/mean")),
                pct(at(&u, "channels/bopis/fill_rate/mean")),
                num(at(&u, "network/net_revenue/mean")),
            ]
        },
    },
    Figure {
        doc: OMNI,
        text: "stores ship {} of the online units, walk-in fill stays at {} (tier A {}), online {} in {} days;",
        values: |r| {
            let p = omni(r, "ship-from-store-protected", None);
            vec![
                pct(at(&p, "channels/online/ship_from_store_share/mean")),
                pct(at(&p, "channels/store/fill_rate/mean")),
                pct(at(&p, "tiers/A/fill_rate/mean")),
                pct(at(&p, "channels/online/fill_rate/mean")),
                num(at(&p, "channels/online/avg_delivery_days/mean")),
            ]
        },
    },
    Figure {
        doc: OMNI,
        text: "marketplace-pool: {} of marketplace orders filled, next day, {} a day of fees, {} units stranded at the end; merchant-fulfilled: {} in {} days, {} a day of parcels from the e-commerce DC, nothing stranded, total cost {} a day against {};",
        values: |r| {
            let (c, mf) = (omni(r, "marketplace-pool", None), omni(r, "merchant-fulfilled", None));
            vec![
                pct(at(&c, "channels/marketplace/fill_rate/mean")),
                num(at(&c, "channels/marketplace/marketplace_fees/mean")),
                num(at(&c, "channels/marketplace/stranded_units/mean")),
                pct(at(&mf, "channels/marketplace/fill_rate/mean")),
                num(at(&mf, "channels/marketplace/avg_delivery_days/mean")),
                num(at(&mf, "channels/marketplace/fulfilment_cost/mean")),
                num(at(&mf, "network/total_cost/mean")),
                num(at(&c, "network/total_cost/mean")),
            ]
        },
    },
    Figure {
        doc: OMNI,
        text: "marketplace-slump: the pool strands {} units worth {} at cost (removal {} a day of the season) and ties up {} of stock on an average day; total cost {} a day against {} merchant-fulfilled, which strands {}.",
        values: |r| {
            let (p, mf) = (
                omni(r, "marketplace-pool", Some("marketplace-slump")),
                omni(r, "merchant-fulfilled", Some("marketplace-slump")),
            );
            vec![
                num(at(&p, "channels/marketplace/stranded_units/mean")),
                num(at(&p, "channels/marketplace/stranded_value/mean")),
                num(at(&p, "channels/marketplace/removal_cost/mean")),
                num(at(&p, "channels/marketplace/avg_inventory_value/mean")),
                num(at(&p, "network/total_cost/mean")),
                num(at(&mf, "network/total_cost/mean")),
                num(at(&mf, "channels/marketplace/stranded_units/mean")),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Central fulfilment fills {} of online orders in {} days and leaves walk-in customers {}. Shipping from stores fills {} in {} days, but the stores' own customers pay: walk-in fill falls to {}. Keeping one day of walk-in cover from online orders holds it at {}. The dedicated pool serves the marketplace faster than the merchant ({} next day against {} in two days), but when its demand is 40 % below plan it strands {} units worth {} at cost, and merchant fulfilment strands none.",
        values: |r| {
            let (c, u, p) = (
                omni(r, "central", None),
                omni(r, "ship-from-store", None),
                omni(r, "ship-from-store-protected", None),
            );
            let (mf, slump) =
                (omni(r, "merchant-fulfilled", None), omni(r, "marketplace-pool", Some("marketplace-slump")));
            vec![
                pct(at(&c, "channels/online/fill_rate/mean")),
                num(at(&c, "channels/online/avg_delivery_days/mean")),
                pct(at(&c, "channels/store/fill_rate/mean")),
                pct(at(&u, "channels/online/fill_rate/mean")),
                num(at(&u, "channels/online/avg_delivery_days/mean")),
                pct(at(&u, "channels/store/fill_rate/mean")),
                pct(at(&p, "channels/store/fill_rate/mean")),
                pct(at(&c, "channels/marketplace/fill_rate/mean")),
                pct(at(&mf, "channels/marketplace/fill_rate/mean")),
                num(at(&slump, "channels/marketplace/stranded_units/mean")),
                num(at(&slump, "channels/marketplace/stranded_value/mean")),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "With it, walk-in customers get {} and online orders {} in {} days, at a total cost of {} a day and net revenue of {} a day, against {} and {} under central fulfilment.",
        values: |r| {
            let (s, c) = (omni(r, "ship-from-store-sized", None), omni(r, "central", None));
            let k = |v: &Value, key: &str| at(v, &format!("{key}/mean"));
            for key in ["channels/store/fill_rate", "channels/online/fill_rate"] {
                assert!(k(&s, key) >= k(&c, key) - 0.005, "{key}: as good as central");
            }
            assert!(k(&s, "network/total_cost") < k(&c, "network/total_cost"), "cheaper than central");
            assert!(k(&s, "network/net_revenue") > k(&c, "network/net_revenue"), "more net revenue");
            vec![
                pct(k(&s, "channels/store/fill_rate")),
                pct(k(&s, "channels/online/fill_rate")),
                num(k(&s, "channels/online/avg_delivery_days")),
                num(k(&s, "network/total_cost")),
                num(k(&s, "network/net_revenue")),
                num(k(&c, "network/total_cost")),
                num(k(&c, "network/net_revenue")),
            ]
        },
    },
];

/// Cost, on hand, backorders and fill rate of the newsvendor and base-stock lessons' theory
/// (`gallery`): N(50, 8²) demand, h = 0.18, p = 0.70.
fn theory(level: f64, lead: u32) -> Vec<String> {
    let (cost, on_hand, backorders, fill) = crate::gallery::normal_base_stock(level, lead, 50.0, 8.0, 0.18, 0.70);
    vec![fix(cost, 3), fix(on_hand, 2), fix(backorders, 2), pct_d(fill, 1)]
}

/// The point of a sweep with the lowest mean total cost.
fn cheapest(s: &Value) -> Value {
    s["points"]
        .as_array()
        .unwrap()
        .iter()
        .min_by(|a, b| at(a, "network/total_cost/mean").total_cmp(&at(b, "network/total_cost/mean")))
        .unwrap()
        .clone()
}

/// Text as the check reads it: comment marks at line starts dropped, whitespace collapsed.
fn normalise(text: &str) -> String {
    let lines = text.lines().map(|l| l.trim().trim_start_matches('#').trim());
    lines.collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` with each `{}` replaced by the next value.
fn fill(text: &str, values: &[String]) -> String {
    let parts: Vec<&str> = text.split("{}").collect();
    assert_eq!(parts.len(), values.len() + 1, "{text}: {} figures for {} places", values.len(), parts.len() - 1);
    let mut out = parts[0].to_string();
    for (v, p) in values.iter().zip(&parts[1..]) {
        out.push_str(v);
        out.push_str(p);
    }
    out
}

/// Every figure of every doc file, in one test so that the docs share their runs.
#[test]
fn every_quoted_figure_is_what_its_command_gives() {
    let mut runs = Runs::new();
    let mut wrong = Vec::new();
    for doc in [README, GALLERY, JACKETS, OMNI] {
        let text = normalise(&std::fs::read_to_string(root().join(doc)).unwrap());
        for f in FIGURES.iter().chain(lessons::LESSONS).filter(|f| f.doc == doc) {
            let t0 = std::time::Instant::now();
            let want = normalise(&fill(f.text, &(f.values)(&mut runs)));
            println!("{doc} ({:.1} s): {want}", t0.elapsed().as_secs_f64());
            if !text.contains(&want) {
                wrong.push(format!("{doc}:\n{want}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the docs do not quote what their commands give; they should read:\n\n{}",
        wrong.join("\n\n")
    );
}
