//! The figures of the latest lessons of scenarios/README.md (12: inventory visibility, 13: a
//! retailer's own data), checked with the rest by `every_quoted_figure_is_what_its_command_gives`.

use std::rc::Rc;

use serde_json::Value;

use super::{Figure, GALLERY, Runs, at, fix, num, pct, root};

/// `summary.json` of the visibility scenario under a strategy.
fn vis(r: &mut Runs, strategy: &str) -> Rc<Value> {
    r.run(&format!("scenarios/visibility.toml --strategy {strategy}"))
}

const CHAIN: &str = "scenarios/retail-chain/scenario.toml";

/// Positions per distribution of `echelon fit` on the retail chain's history, in the order the
/// lesson names them (intermittent, negative binomial, Poisson, normal).
fn chain_fit(r: &Runs) -> Vec<String> {
    let out = r.dir.path().join("chain-demand.csv");
    let o = crate::common::echelon_in(&root())
        .args(["fit", "scenarios/retail-chain/sales.csv", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "echelon fit: {}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let count = |d: &str| text.lines().skip(1).filter(|l| l.split(',').nth(2) == Some(d)).count().to_string();
    vec![count("intermittent"), count("negative_binomial"), count("poisson"), count("normal")]
}

/// Fill rates of the stores of a run: (lowest, highest).
fn store_range(v: &Value) -> (f64, f64) {
    let fills: Vec<f64> = v["locations"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(id, _)| id.starts_with("store"))
        .map(|(_, k)| k["fill_rate"]["mean"].as_f64().unwrap())
        .collect();
    (fills.iter().copied().fold(f64::INFINITY, f64::min), fills.iter().copied().fold(0.0, f64::max))
}

/// Store positions of a run whose mean fill rate is below `x`.
fn positions_below(v: &Value, x: f64) -> usize {
    v["positions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["location"].as_str().unwrap().starts_with("store"))
        .filter(|p| p["kpis"]["fill_rate"]["mean"].as_f64().is_some_and(|f| f < x))
        .count()
}

/// A whole number with thousands separators ("182,624").
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.round());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The lessons' quoted figures (see the parent module).
pub(super) const LESSONS: &[Figure] = &[
    // ---------------------------------------------------------------------------------------
    // scenarios/visibility.toml: its lesson in scenarios/README.md
    Figure {
        doc: GALLERY,
        text: "Monthly counts with weekly reports (`count-30`) fill {} of all demand ({} walk-in, {} online); the stores' records are wrong on {} of store-days, by {} units on average; stores end {} store-days in a phantom stockout (the record shows stock, the shelf is empty), and {} online units a day are cancelled because a store's record promised units its shelf did not have.",
        values: |r| {
            let c = vis(r, "count-30");
            vec![
                pct(at(&c, "network/fill_rate/mean")),
                pct(at(&c, "channels/store/fill_rate/mean")),
                pct(at(&c, "channels/online/fill_rate/mean")),
                pct(at(&c, "network/inaccurate_record_share/mean")),
                num(at(&c, "network/record_error/mean")),
                num(at(&c, "network/phantom_stockout_days/mean")),
                num(at(&c, "network/cancellations_from_inaccuracy/mean")),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Never counting (`no-counts`), the records drift {} units from the shelves, phantom stockouts take {} store-days, stores freeze and fill falls to {}, with {} online units a day cancelled. Weekly counts (`count-7`) cost {} a day and keep the error at {} units; quarterly counts (`count-90`) cost {} and let it grow to {}.",
        values: |r| {
            let (n, c7, c90) = (vis(r, "no-counts"), vis(r, "count-7"), vis(r, "count-90"));
            vec![
                num(at(&n, "network/record_error/mean")),
                num(at(&n, "network/phantom_stockout_days/mean")),
                pct(at(&n, "network/fill_rate/mean")),
                num(at(&n, "network/cancellations_from_inaccuracy/mean")),
                num(at(&c7, "network/count_cost/mean")),
                num(at(&c7, "network/record_error/mean")),
                num(at(&c90, "network/count_cost/mean")),
                num(at(&c90, "network/record_error/mean")),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "Real-time reports (`real-time`) fill {} of demand with no phantom stockouts, {} percentage points above weekly reports, but hold {} units on hand against {}: a planner who learns a week's sales late orders later, which with these generous (s, S) levels (13 and 21 days of cover) trims stock that was not needed, and shrinkage, a share of the on-hand, takes less. Real-time reports cost {} a day against {} weekly.",
        values: |r| {
            let (rt, c) = (vis(r, "real-time"), vis(r, "count-30"));
            assert_eq!(at(&rt, "network/phantom_stockout_days/mean"), 0.0);
            let gap = at(&rt, "network/fill_rate/mean") - at(&c, "network/fill_rate/mean");
            let both = |k: &str| [num(at(&rt, k)), num(at(&c, k))];
            let [on_hand, cost] = ["network/avg_on_hand/mean", "network/total_cost/mean"].map(both);
            let mut v = vec![pct(at(&rt, "network/fill_rate/mean")), fix(100.0 * gap, 2)];
            v.extend(on_hand.into_iter().chain(cost));
            v
        },
    },
    Figure {
        doc: GALLERY,
        text: "fills as well — walk-in {}, online {} — but every online order travels from the DC at 7.0 a parcel instead of 4.0 from a store: {} a day against {} unified. That difference, {} a day, is what the unified view is worth here.",
        values: |r| {
            let (si, c) = (vis(r, "siloed"), vis(r, "count-30"));
            let (a, b) = (at(&si, "network/total_cost/mean"), at(&c, "network/total_cost/mean"));
            assert!(a > b, "the unified view is the cheaper one");
            vec![
                pct(at(&si, "channels/store/fill_rate/mean")),
                pct(at(&si, "channels/online/fill_rate/mean")),
                num(a),
                num(b),
                num(a - b),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "total cost {} a day never counting, {} counting weekly, {} every 14 days, {} monthly, {} every 60 days and {} quarterly, with fill at least {} from weekly to quarterly counts.",
        values: |r| {
            let s = r.sweep("scenarios/visibility.toml --set records.cycle_count.every_days=0,7,14,30,60,90");
            let cost = |i: usize| at(&s, &format!("points/{i}/network/total_cost/mean"));
            assert!((1..6).all(|i| cost(i) < cost(0)), "any counting beats none");
            assert!((1..5).all(|i| cost(i + 1) < cost(i)), "counting less often costs less here");
            let fill = (1..6).map(|i| at(&s, &format!("points/{i}/network/fill_rate/mean"))).fold(1.0, f64::min);
            let mut v: Vec<String> = (0..6).map(|i| num(cost(i))).collect();
            v.push(pct(fill));
            v
        },
    },
    // ---------------------------------------------------------------------------------------
    // scenarios/retail-chain/: its lesson in scenarios/README.md
    Figure {
        doc: GALLERY,
        text: "of the {} store positions that sold in those weeks it finds {} intermittent, {} negative binomial, {} Poisson and {} normal.",
        values: |r| {
            let n = chain_fit(r);
            let total: usize = n.iter().map(|x| x.parse::<usize>().unwrap()).sum();
            [vec![thousands(total as f64)], n].concat()
        },
    },
    Figure {
        doc: GALLERY,
        text: "Under the tables' own policies the chain fills {} of demand, its stores from {} to {}, and {} of the 2,000 store positions fill less than 95 %:",
        values: |r| {
            let c = r.run(CHAIN);
            let (lo, hi) = store_range(&c);
            vec![pct(at(&c, "network/fill_rate/mean")), pct(lo), pct(hi), positions_below(&c, 0.95).to_string()]
        },
    },
    Figure {
        doc: GALLERY,
        text: "as a planner without the truth would run it: it fills {}, {} points more than the chain really does,",
        values: |r| {
            let (c, f) = (r.run(CHAIN), r.run("scenarios/retail-chain/fitted.toml"));
            let (a, b) = (at(&f, "network/fill_rate/mean"), at(&c, "network/fill_rate/mean"));
            vec![pct(a), fix(100.0 * (a - b), 2)]
        },
    },
    Figure {
        doc: GALLERY,
        text: "meets the target at every one in {} runs: the sized positions hold {} at cost on average, twice the {} of the textbook's normal approximation — which is wrong for slow, lumpy and seasonal sellers — and the network's stock at cost goes from {} under the tables' policies to {}.",
        values: |r| {
            let (c, z) = (r.run(CHAIN), r.size(&format!("{CHAIN} --target fill_rate=0.95")));
            let ps = z["positions"].as_array().unwrap();
            assert!(ps.len() == 2000 && ps.iter().all(|p| p["met"] == true), "every store position meets 95 %");
            let (sized, book) = (
                at(&z, "inventory_investment/sized_positions"),
                at(&z, "inventory_investment/textbook_sized_positions"),
            );
            assert!((1.8..2.2).contains(&(sized / book)), "twice the textbook's: {sized} vs {book}");
            vec![
                at(&z, "runs").to_string(),
                thousands(sized),
                thousands(book),
                thousands(at(&c, "network/avg_inventory_value/mean")),
                thousands(at(&z, "inventory_investment/network")),
            ]
        },
    },
    Figure {
        doc: GALLERY,
        text: "empties the DCs: fill falls from {} to {}.",
        values: |r| {
            let (c, s) = (r.run(CHAIN), r.run(&format!("{CHAIN} --stress supplier-strike")));
            vec![pct(at(&c, "network/fill_rate/mean")), pct(at(&s, "network/fill_rate/mean"))]
        },
    },
];
