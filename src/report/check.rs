//! `echelon check`: the validated network as a readable tree.

use std::fmt::Write as _;

use crate::disruption::Disruption;
use crate::distribution::num;
use crate::leadtime::LeadTime;
use crate::policy::{LevelSpec, Policy, whole_units};
use crate::scenario::{LocationKind, Position, Scenario, UnmetDemand};

fn lead(l: &LeadTime) -> String {
    match l {
        LeadTime::Days(d) => format!("{d} day{}", if *d == 1 { "" } else { "s" }),
        LeadTime::Random(d) => format!("{} days", d.describe()),
    }
}

/// A level as the simulation uses it (`v`), with how it was given: the service, cover or
/// days it comes from, and the value before whole-unit rounding (`raw`) where that differs.
fn level(v: f64, raw: f64, spec: LevelSpec) -> String {
    let mut notes = Vec::new();
    if v != raw {
        notes.push(format!("rounded to whole units from {}", num(raw)));
    }
    match spec {
        LevelSpec::Units(_) => {}
        LevelSpec::Days(d) => notes.push(format!("{} days of cover", num(d))),
        LevelSpec::Service(p) => notes.push(format!("{} % cycle service", num(100.0 * p))),
        LevelSpec::Cover(f) => notes.push(format!("{} × demand over lead time + review", num(f))),
    }
    if notes.is_empty() { num(v) } else { format!("{} (= {})", num(v), notes.join(", ")) }
}

/// One-line description of a policy with the levels the simulation uses: for whole-unit SKUs
/// rounded as the engine rounds them ([`whole_units`]: order-up-to levels and batches up,
/// reorder points down).
pub fn policy_text(p: &Policy, whole: bool) -> String {
    let spec = |i: usize| p.specs.get(i).map_or(LevelSpec::Units(0.0), |s| s.1);
    let used = if whole { whole_units(p.kind) } else { p.kind };
    let raw = p.kind.levels();
    let mut s = used.describe(|v, i| level(v, raw[i], spec(i)));
    if p.review_days > 1 {
        let _ = write!(s, ", review every {} days", p.review_days);
        if p.review_offset > 0 {
            let _ = write!(s, " (offset {})", p.review_offset);
        }
    }
    if let Some(m) = p.max_order {
        let _ = write!(s, ", max order {}", num(m));
    }
    s
}

/// The network tree, SKUs, demand and settings.
pub fn check_text(sc: &Scenario, file: &str) -> String {
    let mut s = String::new();
    let sim = &sc.simulation;
    let _ = writeln!(s, "{file}: OK{}", if sc.name.is_empty() { String::new() } else { format!(" — {}", sc.name) });
    if !sc.description.is_empty() {
        for line in sc.description.lines() {
            let _ = writeln!(s, "  {line}");
        }
    }
    let _ = writeln!(
        s,
        "\nsimulation: {} days after {} warm-up days, {} replications, seed {}, unmet demand {}, day 0 = {:04}-{:02}-{:02}",
        sim.days,
        sim.warmup_days,
        sim.replications,
        sim.seed,
        if sim.unmet_demand == UnmetDemand::Backorder { "backordered" } else { "lost" },
        sim.start_date.0,
        sim.start_date.1,
        sim.start_date.2
    );
    let _ = writeln!(s, "\nSKUs:");
    let big = sc.positions.len() > BIG_NETWORK;
    let shown_skus = if big { SHOWN_PER_LIST.min(sc.skus.len()) } else { sc.skus.len() };
    for k in &sc.skus[..shown_skus] {
        let _ = writeln!(
            s,
            "  {:<14} cost {}, price {}, holding {}/unit-day, stockout {}/unit, order {}/order{}",
            k.id,
            num(k.unit_cost),
            num(k.price),
            num(k.holding_cost),
            num(k.stockout_cost),
            num(k.order_cost),
            if k.discrete { ", whole units" } else { "" }
        );
    }
    if shown_skus < sc.skus.len() {
        let _ = writeln!(s, "  … and {} more SKUs", sc.skus.len() - shown_skus);
    }
    for (title, list, current) in
        [("strategies", &sc.strategies, &sc.strategy), ("stress tests", &sc.stresses, &sc.stress)]
    {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title}:");
        for (i, x) in list.iter().enumerate() {
            let mut tags = Vec::new();
            if title == "strategies" && i == 0 {
                tags.push("default");
            }
            if current.as_deref() == Some(x.name.as_str()) {
                tags.push("shown below");
            }
            let tags = if tags.is_empty() { String::new() } else { format!(" ({})", tags.join(", ")) };
            let _ = writeln!(s, "  {:<16} {}{tags}", x.name, x.description);
        }
    }
    let _ = writeln!(s, "\nnetwork:");
    let ix = Index::new(sc);
    let roots: Vec<usize> = (0..sc.locations.len()).filter(|&i| sc.locations[i].source.is_none()).collect();
    for r in roots {
        tree(sc, &ix, r, 1, &mut s);
    }
    s
}

/// Above this many positions the listing is cut to [`SHOWN_PER_LIST`] SKUs overall and per
/// location: a chain of a thousand stores and SKUs would print millions of lines.
const BIG_NETWORK: usize = 5_000;

/// SKUs shown per list in a big network.
const SHOWN_PER_LIST: usize = 10;

/// Positions per location, demand streams per position and children per location, found once
/// (a search per location or position is quadratic in a retailer's network).
struct Index {
    positions_at: Vec<Vec<usize>>,
    demand_of: std::collections::HashMap<(usize, usize), Vec<usize>>,
    children: Vec<Vec<usize>>,
    big: bool,
}

impl Index {
    fn new(sc: &Scenario) -> Index {
        let n = sc.locations.len();
        let mut ix = Index {
            positions_at: vec![Vec::new(); n],
            demand_of: std::collections::HashMap::new(),
            children: vec![Vec::new(); n],
            big: sc.positions.len() > BIG_NETWORK,
        };
        for (i, p) in sc.positions.iter().enumerate() {
            ix.positions_at[p.location].push(i);
        }
        for (i, d) in sc.demand.iter().enumerate() {
            ix.demand_of.entry((d.location, d.sku)).or_default().push(i);
        }
        for (c, loc) in sc.locations.iter().enumerate() {
            if let Some(src) = loc.source {
                ix.children[src].push(c);
            }
        }
        ix
    }
}

/// The costs of a position that differ from its SKU's (location-level overrides), e.g.
/// `; holding 0.5/unit-day here (SKU 0.18)`.
fn costs_here(sc: &Scenario, p: &Position) -> String {
    let sku = &sc.skus[p.sku];
    let mut parts = Vec::new();
    for (name, unit, here, base) in [
        ("holding", "/unit-day", p.holding_cost, sku.holding_cost),
        ("stockout", "/unit", p.stockout_cost, sku.stockout_cost),
        ("order", "/order", p.order_cost, sku.order_cost),
    ] {
        if here != base {
            parts.push(format!("{name} {}{unit} here (SKU {})", num(here), num(base)));
        }
    }
    if parts.is_empty() { String::new() } else { format!("; {}", parts.join(", ")) }
}

fn tree(sc: &Scenario, ix: &Index, l: usize, depth: usize, s: &mut String) {
    let loc = &sc.locations[l];
    let pad = "  ".repeat(depth);
    let mut head = format!("{pad}{} [{}]", loc.id, loc.kind.as_str());
    let ch = &loc.channel;
    if loc.kind == LocationKind::Online {
        let nodes: Vec<&str> = ch.fulfil_from.iter().map(|&x| sc.locations[x].id.as_str()).collect();
        let _ = write!(head, " ← shipped from {} ({})", nodes.join(", "), ch.routing.as_str());
    } else if loc.kind != LocationKind::Supplier {
        let _ = write!(head, " ← lead time {}", lead(&loc.lead_time));
    }
    if let Some(p) = ch.online_protection {
        let text = match p {
            crate::channel::Protection::All => "all its stock".to_string(),
            crate::channel::Protection::Level(LevelSpec::Units(u)) => format!("{} units", num(u)),
            crate::channel::Protection::Level(LevelSpec::Days(d)) => format!("{} days of walk-in cover", num(d)),
            crate::channel::Protection::Level(LevelSpec::Service(p)) => {
                format!("{} % walk-in service", num(100.0 * p))
            }
            crate::channel::Protection::Level(LevelSpec::Cover(c)) => {
                format!("{} × walk-in over its lead time", num(c))
            }
        };
        let _ = write!(head, ", keeps {text} from online orders");
    }
    if let Some(r) = &loc.region {
        let _ = write!(head, ", region {r}");
    }
    if let Some(t) = &loc.tier {
        let _ = write!(head, ", tier {t}");
    }
    if let Some(c) = loc.capacity_per_day {
        let _ = write!(head, ", ships ≤ {}/day", num(c));
    }
    let _ = writeln!(s, "{head}");
    for d in &loc.disruptions {
        let text = match d {
            Disruption::Markov { mean_days_up, mean_days_down } => format!(
                "random outages: up {} days, down {} days on average ({} % of days down)",
                num(*mean_days_up),
                num(*mean_days_down),
                num(100.0 * mean_days_down / (mean_days_up + mean_days_down))
            ),
            Disruption::Scheduled { windows, capacity_per_day } => {
                let w: Vec<String> = windows.iter().map(|(a, b)| format!("{a}–{b}")).collect();
                match capacity_per_day {
                    None => format!("down on days {}", w.join(", ")),
                    Some(c) => format!("capacity {}/day on days {}", num(*c), w.join(", ")),
                }
            }
        };
        let _ = writeln!(s, "{pad}  ! {text}");
    }
    let here = &ix.positions_at[l];
    let shown = if ix.big { SHOWN_PER_LIST.min(here.len()) } else { here.len() };
    for p in here[..shown].iter().map(|&i| &sc.positions[i]) {
        let sku = &sc.skus[p.sku];
        let init = p.initial_on_hand.map_or(String::new(), |v| format!(", starts with {}", num(v)));
        if loc.kind == LocationKind::Online {
            // No stock, no policy: its orders are shipped from its nodes.
            let what = if ch.bopis_of.is_some() { "BOPIS orders" } else { "orders" };
            let _ = writeln!(s, "{pad}  · {}: {what} shipped from the nodes{}", sku.id, costs_here(sc, p));
        } else {
            let _ = writeln!(
                s,
                "{pad}  · {}: {}{}{}",
                sku.id,
                policy_text(&p.policy, sku.discrete),
                init,
                costs_here(sc, p)
            );
        }
        for d in ix.demand_of.get(&(l, p.sku)).into_iter().flatten().map(|&i| &sc.demand[i]) {
            let mut extra = String::new();
            if d.weekly.is_some() {
                extra.push_str(", weekly pattern");
            }
            if d.monthly.is_some() {
                extra.push_str(", monthly seasonality");
            }
            for pr in &d.promotions {
                let _ = write!(extra, ", promotion ×{} days {}–{}", num(pr.multiplier), pr.first_day, pr.last_day);
            }
            let _ = writeln!(s, "{pad}      demand {} per day{extra}", d.dist.describe());
        }
    }
    if shown < here.len() {
        let _ = writeln!(s, "{pad}  · … and {} more SKUs", here.len() - shown);
    }
    for &c in &ix.children[l] {
        tree(sc, ix, c, depth + 1, s);
    }
}
