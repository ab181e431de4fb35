//! Strategies and stress tests: named overlays of a scenario.
//!
//! A `[strategies.<name>]` or `[stress.<name>]` table does not add anything the scenario language
//! cannot say on its own: it is a set of changes to the file — policies for all stores, an outage
//! window on a supplier, a promotion on a region's demand — applied as [`Patch`]es before
//! validation. So every feature works with or without strategies, a strategy is checked exactly
//! like the locations it changes, and a message about a value it set points at the strategy.

use std::ops::Range;

use toml::Spanned;
use toml::Value;
use toml::de::{DeTable, DeValue};

use super::diag::{Diags, closest};
use super::patch::Patch;
use super::{Named, Variant};

/// A strategy or stress table taken out of the document.
pub(super) struct Overlay {
    pub named: Named,
    pub table: toml::Table,
    /// Span of the whole table and of each of its entries.
    pub span: Range<usize>,
    pub entry_spans: Vec<(String, Range<usize>)>,
    pub default: bool,
}

impl Overlay {
    fn span_of(&self, key: &str) -> Range<usize> {
        self.entry_spans.iter().find(|(k, _)| k == key).map_or(self.span.clone(), |(_, s)| s.clone())
    }
}

/// What an overlay needs to know about the locations and demand entries of the document.
/// A location as the strategy keys select it: (id, kind, region, tier).
type LocationLayout = (String, String, Option<String>, Option<String>);

/// What applying a variant gives: the strategies and stress tests the file defines, the names of
/// those applied, and the patches they make.
pub(super) type Applied = (Vec<Named>, Vec<Named>, Option<String>, Option<String>, Vec<Patch>);

pub(super) struct Layout {
    /// (id, type, region, tier) of each location.
    locations: Vec<(String, String, Option<String>, Option<String>)>,
    /// (location, sku) of each demand entry.
    demand: Vec<(String, Option<String>)>,
}

fn str_of(t: &DeTable<'_>, key: &str) -> Option<String> {
    t.get(key).and_then(|v| v.get_ref().as_str()).map(str::to_string)
}

impl Layout {
    pub fn of(doc: &DeTable<'_>) -> Layout {
        // Borrowed, not cloned: a retailer's tables bring a million demand entries.
        fn tables<'d, 'a>(doc: &'d DeTable<'a>, key: &str) -> impl Iterator<Item = &'d DeTable<'a>> {
            let list = match doc.get(key).map(|v| v.get_ref()) {
                Some(DeValue::Array(a)) => Some(a.iter().filter_map(|e| e.get_ref().as_table())),
                _ => None,
            };
            list.into_iter().flatten()
        }
        let locations = tables(doc, "locations")
            .map(|t| {
                (
                    str_of(t, "id").unwrap_or_default(),
                    str_of(t, "type").unwrap_or_default(),
                    str_of(t, "region"),
                    str_of(t, "tier"),
                )
            })
            .collect();
        let demand =
            tables(doc, "demand").map(|t| (str_of(t, "location").unwrap_or_default(), str_of(t, "sku"))).collect();
        Layout { locations, demand }
    }
}

/// Takes `[strategies.*]` and `[stress.*]` out of the document.
pub(super) fn take(doc: &mut Spanned<DeTable<'_>>, d: &mut Diags) -> (Vec<Overlay>, Vec<Overlay>) {
    let mut out = (Vec::new(), Vec::new());
    for (key, kind) in [("strategies", 0), ("stress", 1)] {
        let Some(v) = doc.get_mut().remove(key) else { continue };
        let span = v.span();
        let DeValue::Table(t) = v.into_inner() else {
            d.err(
                span,
                key,
                format!("`{key}` must be tables [{key}.<name>]"),
                format!("write e.g. [{key}.my-name] with its keys below"),
            );
            continue;
        };
        for (name, entry) in t {
            let name = name.get_ref().to_string();
            let span = entry.span();
            let entry_spans = match entry.get_ref() {
                DeValue::Table(t) => t.iter().map(|(k, v)| (k.get_ref().to_string(), v.span())).collect(),
                _ => Vec::new(),
            };
            let table: Option<toml::Table> =
                serde::Deserialize::deserialize(serde::de::IntoDeserializer::into_deserializer(entry)).ok();
            let Some(mut table) = table else {
                d.err(
                    span,
                    format!("{key}.{name}"),
                    "expected a table of settings",
                    format!("write [{key}.{name}] followed by its keys"),
                );
                continue;
            };
            let description = match table.remove("description") {
                Some(Value::String(s)) => s,
                _ => String::new(),
            };
            let default = matches!(table.remove("default"), Some(Value::Boolean(true)));
            let o = Overlay { named: Named { name, description }, table, span, entry_spans, default };
            if kind == 0 { out.0.push(o) } else { out.1.push(o) }
        }
    }
    // The default strategy comes first: marked `default = true`, else the first in the file.
    if let Some(i) = out.0.iter().position(|o| o.default) {
        let o = out.0.remove(i);
        out.0.insert(0, o);
    }
    out
}

/// Picks the overlay a variant asks for (`None` = the default strategy, no stress test).
pub(super) fn choose<'o>(list: &'o [Overlay], want: Option<&str>, kind: &str, d: &mut Diags) -> Option<&'o Overlay> {
    match want {
        None if kind == "strategies" => list.first(),
        None => None,
        Some(name) => {
            let found = list.iter().find(|o| o.named.name == name);
            if found.is_none() {
                let names: Vec<&str> = list.iter().map(|o| o.named.name.as_str()).collect();
                let help = if names.is_empty() {
                    format!("this file defines no [{kind}.<name>] tables")
                } else {
                    match closest(name, names.iter().copied()) {
                        Some(b) => format!("did you mean '{b}'? defined: {}", names.join(", ")),
                        None => format!("defined: {}", names.join(", ")),
                    }
                };
                d.at(
                    None,
                    kind,
                    format!("no {} named '{name}'", if kind == "stress" { "stress test" } else { "strategy" }),
                    Some(help),
                );
            }
            found
        }
    }
}

/// A TOML value written inline (as it would appear after `key = `).
pub(super) fn inline(v: &Value) -> String {
    match v {
        Value::Table(t) => {
            let items: Vec<String> = t.iter().map(|(k, v)| format!("{} = {}", key(k), inline(v))).collect();
            format!("{{ {} }}", items.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(inline).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

/// Keys a strategy may contain.
const STRATEGY_KEYS: &[&str] = &[
    "stores",
    "warehouses",
    "regions",
    "tiers",
    "locations",
    "segments",
    "rebalancing",
    "set",
    "description",
    "default",
];
/// Keys a stress test may contain.
const STRESS_KEYS: &[&str] = &["outages", "demand", "delays", "lead_time", "shocks", "set", "description"];

fn set_patch(path: String, v: &Value, origin: &str, span: &Range<usize>) -> Patch {
    Patch { path, value: inline(v), origin: origin.to_string(), append: false, span: Some(span.clone()) }
}

fn append_patch(path: String, v: String, origin: &str, span: &Range<usize>) -> Patch {
    Patch { path, value: v, origin: origin.to_string(), append: true, span: Some(span.clone()) }
}

fn unknown_key(d: &mut Diags, span: Range<usize>, at: &str, k: &str, valid: &[&str]) {
    let help = match closest(k, valid.iter().copied()) {
        Some(b) => format!("did you mean `{b}`? (valid keys: {})", valid.join(", ")),
        None => format!("valid keys: {}", valid.join(", ")),
    };
    d.err(span, format!("{at}.{k}"), format!("unknown key `{k}`"), help);
}

/// The changes a strategy makes: settings for all stores or warehouses, for regions, tiers and
/// single locations (later ones win), then arbitrary `set` paths.
pub(super) fn strategy_patches(o: &Overlay, lay: &Layout, d: &mut Diags) -> Vec<Patch> {
    let at = format!("strategies.{}", o.named.name);
    let mut out = Vec::new();
    for k in o.table.keys() {
        if !STRATEGY_KEYS.contains(&k.as_str()) {
            unknown_key(d, o.span_of(k), &at, k, STRATEGY_KEYS);
        }
    }
    let settings = |sel: &dyn Fn(&LocationLayout) -> bool, table: &Value, span: &Range<usize>, out: &mut Vec<Patch>| {
        if let Value::Table(t) = table {
            for loc in lay.locations.iter().filter(|l| sel(l)) {
                for (k, v) in t {
                    out.push(set_patch(format!("locations.{}.{k}", loc.0), v, &at, span));
                }
            }
        }
    };
    for (key, kinds) in [("stores", &["store"][..]), ("warehouses", &["warehouse", "dc"][..])] {
        if let Some(v) = o.table.get(key) {
            let span = o.span_of(key);
            if !v.is_table() {
                d.err(
                    span.clone(),
                    format!("{at}.{key}"),
                    "expected a table of location settings",
                    "e.g. stores = { policy = { type = \"base_stock\", level = { days = 7 } } }",
                );
            }
            settings(&|l| kinds.contains(&l.1.as_str()), v, &span, &mut out);
        }
    }
    for (key, field) in [("regions", 2usize), ("tiers", 3)] {
        if let Some(Value::Table(groups)) = o.table.get(key) {
            let span = o.span_of(key);
            for (label, v) in groups {
                let matches = |l: &(String, String, Option<String>, Option<String>)| {
                    let x = if field == 2 { &l.2 } else { &l.3 };
                    x.as_deref() == Some(label.as_str())
                };
                if !lay.locations.iter().any(matches) {
                    let known: Vec<String> = lay
                        .locations
                        .iter()
                        .filter_map(|l| if field == 2 { l.2.clone() } else { l.3.clone() })
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    d.err(
                        span.clone(),
                        format!("{at}.{key}.{label}"),
                        format!("no location has {} = \"{label}\"", &key[..key.len() - 1]),
                        format!(
                            "labels in this file: {}",
                            if known.is_empty() { "none".into() } else { known.join(", ") }
                        ),
                    );
                }
                settings(&matches, v, &span, &mut out);
            }
        }
    }
    if let Some(Value::Table(locs)) = o.table.get("locations") {
        let span = o.span_of("locations");
        for (id, v) in locs {
            if !lay.locations.iter().any(|l| &l.0 == id) {
                let help = match closest(id, lay.locations.iter().map(|l| l.0.as_str())) {
                    Some(b) => format!("did you mean '{b}'?"),
                    None => "name a location of this file".into(),
                };
                d.err(span.clone(), format!("{at}.locations.{id}"), format!("unknown location '{id}'"), help);
            }
            settings(&|l| &l.0 == id, v, &span, &mut out);
        }
    }
    // Segment settings and rebalancing are scenario-level tables.
    if let Some(Value::Table(segs)) = o.table.get("segments") {
        let span = o.span_of("segments");
        for (label, v) in segs {
            out.push(set_patch(format!("segments.{label}"), v, &at, &span));
        }
    }
    if let Some(v) = o.table.get("rebalancing") {
        out.push(set_patch("rebalancing".into(), v, &at, &o.span_of("rebalancing")));
    }
    if let Some(Value::Table(set)) = o.table.get("set") {
        let span = o.span_of("set");
        for (path, v) in set {
            out.push(set_patch(path.clone(), v, &at, &span));
        }
    }
    out
}

/// Which locations an entry of a stress test names: `location`, `locations`, `region`, or none
/// (= every location of `default_kind`, or all).
fn targets(entry: &toml::Table, lay: &Layout, default_kind: Option<&str>) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    if let Some(l) = entry.get("location").and_then(Value::as_str) {
        ids.push(l.to_string());
    }
    if let Some(Value::Array(a)) = entry.get("locations") {
        ids.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
    }
    if let Some(r) = entry.get("region").and_then(Value::as_str) {
        let found: Vec<String> =
            lay.locations.iter().filter(|l| l.2.as_deref() == Some(r)).map(|l| l.0.clone()).collect();
        if found.is_empty() {
            return Err(format!("no location has region = \"{r}\""));
        }
        ids.extend(found);
    }
    for id in &ids {
        if !lay.locations.iter().any(|l| &l.0 == id) {
            return Err(format!("unknown location '{id}'"));
        }
    }
    if ids.is_empty() {
        ids = lay.locations.iter().filter(|l| default_kind.is_none_or(|k| l.1 == k)).map(|l| l.0.clone()).collect();
    }
    Ok(ids)
}

/// An entry without its targeting keys, written inline.
fn without_targets(entry: &toml::Table) -> toml::Table {
    entry
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "location" | "locations" | "region" | "sku"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The changes a stress test makes.
pub(super) fn stress_patches(o: &Overlay, lay: &Layout, d: &mut Diags) -> Vec<Patch> {
    let at = format!("stress.{}", o.named.name);
    let mut out = Vec::new();
    for k in o.table.keys() {
        if !STRESS_KEYS.contains(&k.as_str()) {
            unknown_key(d, o.span_of(k), &at, k, STRESS_KEYS);
        }
    }
    let s = Stress { o, lay, at: &at };
    for e in s.entries("outages", d) {
        s.outage(&e, &mut out, d);
    }
    for e in s.entries("demand", d) {
        s.surge(&e, &mut out, d);
    }
    for e in s.entries("delays", d) {
        s.delays(&e, &mut out, d);
    }
    if let Some(e) = s.entries("lead_time", d).into_iter().next() {
        s.lead_time(&e, &mut out, d);
    }
    // Random demand shocks join the scenario's [[shocks]].
    for e in s.entries("shocks", d) {
        out.push(append_patch("shocks".into(), inline(&Value::Table(e)), &at, &o.span_of("shocks")));
    }
    if let Some(Value::Table(set)) = o.table.get("set") {
        let span = o.span_of("set");
        for (path, v) in set {
            out.push(set_patch(path.clone(), v, &at, &span));
        }
    }
    out
}

/// A stress test being turned into patches: its table, the file's layout and its key.
struct Stress<'a> {
    o: &'a Overlay,
    lay: &'a Layout,
    at: &'a str,
}

impl Stress<'_> {
    /// The entries of a key: one table or a list of tables.
    fn entries(&self, key: &str, d: &mut Diags) -> Vec<toml::Table> {
        match self.o.table.get(key) {
            None => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(Value::is_table) => {
                a.iter().filter_map(|v| v.as_table().cloned()).collect()
            }
            Some(Value::Table(t)) => vec![t.clone()],
            Some(_) => {
                d.err(
                    self.o.span_of(key),
                    format!("{}.{key}", self.at),
                    "expected a table or a list of tables",
                    format!("e.g. {key} = [{{ location = \"...\", first_day = 30, last_day = 39 }}]"),
                );
                Vec::new()
            }
        }
    }

    /// Outages: a scheduled window on each named location (default: the suppliers).
    fn outage(&self, e: &toml::Table, out: &mut Vec<Patch>, d: &mut Diags) {
        let (at, span) = (self.at, self.o.span_of("outages"));
        let ids = match targets(e, self.lay, Some("supplier")) {
            Err(msg) => {
                return d.err(span, format!("{at}.outages"), msg, "name a location (`location = \"...\"`) or a region");
            }
            Ok(ids) => ids,
        };
        let (a, b) = (
            e.get("first_day").cloned().unwrap_or(Value::Integer(0)),
            e.get("last_day").cloned().unwrap_or(Value::Integer(0)),
        );
        let mut w = toml::Table::new();
        w.insert("type".into(), Value::String("scheduled".into()));
        w.insert("windows".into(), Value::Array(vec![Value::Array(vec![a, b])]));
        if let Some(c) = e.get("capacity_per_day") {
            w.insert("capacity_per_day".into(), c.clone());
        }
        const KEYS: &[&str] = &["location", "locations", "region", "first_day", "last_day", "capacity_per_day"];
        for k in e.keys() {
            if !KEYS.contains(&k.as_str()) {
                unknown_key(d, span.clone(), &format!("{at}.outages"), k, KEYS);
            }
        }
        for id in ids {
            out.push(append_patch(format!("locations.{id}.disruption"), inline(&Value::Table(w.clone())), at, &span));
        }
    }

    /// Demand surges: a promotion-like multiplier on the demand of named locations (default all).
    fn surge(&self, e: &toml::Table, out: &mut Vec<Patch>, d: &mut Diags) {
        let (at, span) = (self.at, self.o.span_of("demand"));
        let ids = match targets(e, self.lay, None) {
            Err(msg) => {
                return d.err(
                    span,
                    format!("{at}.demand"),
                    msg,
                    "name a location or a region, or neither for all demand",
                );
            }
            Ok(ids) => ids,
        };
        let sku = e.get("sku").and_then(Value::as_str);
        // A stress test's surge counts as a disruption for the resilience KPIs.
        let mut promo = without_targets(e);
        promo.insert("shock".into(), Value::Boolean(true));
        let promo = inline(&Value::Table(promo));
        let mut hit = false;
        for (i, (loc, s)) in self.lay.demand.iter().enumerate() {
            if ids.contains(loc) && sku.is_none_or(|k| s.as_deref() == Some(k)) {
                out.push(append_patch(format!("demand.{i}.promotions"), promo.clone(), at, &span));
                hit = true;
            }
        }
        if !hit {
            d.err(
                span,
                format!("{at}.demand"),
                "this demand change matches no [[demand]] entry",
                "check location, region and sku",
            );
        }
    }

    /// Whether a location has an inbound lane (is not a supplier).
    fn has_lane(&self, id: &str) -> bool {
        self.lay.locations.iter().any(|l| l.0 == id && l.1 != "supplier")
    }

    /// Transport delays on the lanes into named locations (default all).
    fn delays(&self, e: &toml::Table, out: &mut Vec<Patch>, d: &mut Diags) {
        let (at, span) = (self.at, self.o.span_of("delays"));
        match targets(e, self.lay, None) {
            Err(msg) => {
                d.err(span, format!("{at}.delays"), msg, "name a location or a region, or neither for every lane")
            }
            Ok(ids) => {
                let delay = inline(&Value::Table(without_targets(e)));
                for id in ids.iter().filter(|id| self.has_lane(id)) {
                    out.push(append_patch(format!("locations.{id}.delays"), delay.clone(), at, &span));
                }
            }
        }
    }

    /// Lead-time noise: scale the variance of the lanes into named locations (default all).
    fn lead_time(&self, e: &toml::Table, out: &mut Vec<Patch>, d: &mut Diags) {
        let (at, span) = (self.at, self.o.span_of("lead_time"));
        let ids = match targets(e, self.lay, None) {
            Err(msg) => {
                return d.err(
                    span,
                    format!("{at}.lead_time"),
                    msg,
                    "name a location or a region, or neither for every lane",
                );
            }
            Ok(ids) => ids,
        };
        for (k, v) in without_targets(e) {
            let key = match k.as_str() {
                "variance_factor" => "lead_time_variance_factor",
                "extra_sd" => "lead_time_extra_sd",
                other => {
                    unknown_key(
                        d,
                        span.clone(),
                        &format!("{at}.lead_time"),
                        other,
                        &["variance_factor", "extra_sd", "location", "locations", "region"],
                    );
                    continue;
                }
            };
            for id in ids.iter().filter(|id| self.has_lane(id)) {
                out.push(set_patch(format!("locations.{id}.{key}"), &v, at, &span));
            }
        }
    }
}

/// Applies a variant's strategy and stress test to the document; returns the overlays' names
/// and which were applied.
pub(super) fn apply(doc: &mut Spanned<DeTable<'_>>, v: &Variant, d: &mut Diags) -> Applied {
    let (strategies, stresses) = take(doc, d);
    let lay = Layout::of(doc.get_ref());
    let mut patches = Vec::new();
    let strategy = choose(&strategies, v.strategy.as_deref(), "strategies", d);
    if let Some(s) = strategy {
        patches.extend(strategy_patches(s, &lay, d));
    }
    let stress = choose(&stresses, v.stress.as_deref(), "stress", d);
    if let Some(s) = stress {
        patches.extend(stress_patches(s, &lay, d));
    }
    let names = |l: &[Overlay]| l.iter().map(|o| o.named.clone()).collect::<Vec<_>>();
    (
        names(&strategies),
        names(&stresses),
        strategy.map(|s| s.named.name.clone()),
        stress.map(|s| s.named.name.clone()),
        patches,
    )
}
