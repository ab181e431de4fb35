//! Validation of the channel keys: a demand entry's `channel`, an online location's nodes and
//! routing, a node's shipping cost and delivery days, a store's protection and BOPIS fallback,
//! a marketplace's fees; and the online locations that take each store's BOPIS orders.

use toml::Value;

use super::{BopisFallback, Channel, LocationChannel, Protection, Routing};
use crate::demand::Demand;
use crate::distribution::Dist;
use crate::leadtime::LeadTime;
use crate::policy::validate::check_level;
use crate::policy::{Policy, PolicyKind};
use crate::scenario::diag::{Diags, closest};
use crate::scenario::raw::{RawDemand, RawLocation};
use crate::scenario::values::{Ids, check_days, num_at_least};
use crate::scenario::{Location, LocationKind, Position};

/// The channel keys of one `[[locations]]` entry (`key` = `locations[i]`), each checked against
/// the location's type. Nodes are resolved here; whether they can ship is checked by
/// [`check_nodes`] once every location is known.
pub(crate) fn location_keys(
    l: &RawLocation,
    kind: LocationKind,
    key: &str,
    ids: &Ids<'_>,
    d: &mut Diags,
) -> LocationChannel {
    let mut c = LocationChannel::default();
    let at = At { l, kind, key };
    online_keys(&at, ids, &mut c, d);
    node_keys(l, kind, key, &mut c, d);
    let market = kind == LocationKind::Marketplace;
    for (v, what, slot) in
        [(&l.fee_per_unit, "fee_per_unit", &mut c.fee_per_unit), (&l.removal_cost, "removal_cost", &mut c.removal_cost)]
    {
        if let Some(v) = v {
            if market {
                *slot = num_at_least(d, v, &format!("{key}.{what}"), 0.0, what);
            } else {
                at.wrong_kind(d, v.span(), what, "locations of type \"marketplace\"");
            }
        }
    }
    c
}

/// The `[[locations]]` entry whose channel keys are read.
struct At<'a> {
    l: &'a RawLocation,
    kind: LocationKind,
    key: &'a str,
}

impl At<'_> {
    /// Reports a key written on a location type it does not apply to.
    fn wrong_kind(&self, d: &mut Diags, span: std::ops::Range<usize>, what: &str, needs: &str) {
        let id = self.l.id.get_ref().trim();
        d.err(
            span,
            format!("{}.{what}", self.key),
            format!("`{what}` applies to {needs}, and '{id}' is a {}", self.kind.as_str()),
            format!("remove `{what}` from '{id}'"),
        );
    }
}

/// An online location's keys: its nodes (required), routing rule and waiting limit; the stock
/// keys it cannot have. Other locations may not write them.
fn online_keys(at: &At<'_>, ids: &Ids<'_>, c: &mut LocationChannel, d: &mut Diags) {
    let (l, key) = (at.l, at.key);
    let id = l.id.get_ref().trim();
    let online = at.kind == LocationKind::Online;
    let needs = "locations of type \"online\"";
    match &l.fulfil_from {
        Some(v) if online => c.fulfil_from = nodes(v, key, ids, d),
        Some(v) => at.wrong_kind(d, v.span(), "fulfil_from", needs),
        None if online => d.err(
            l.id.span(),
            format!("{key}.fulfil_from"),
            format!("online location '{id}' has no fulfil_from"),
            "add fulfil_from = [\"<warehouse or store>\", ...]: the nodes that ship its orders",
        ),
        None => {}
    }
    if let Some(r) = &l.routing {
        match r.get_ref().as_str() {
            _ if !online => at.wrong_kind(d, r.span(), "routing", needs),
            "preference" => c.routing = Routing::Preference,
            "nearest" => c.routing = Routing::Nearest,
            "cheapest" => c.routing = Routing::Cheapest,
            "most_stock" => c.routing = Routing::MostStock,
            other => {
                let hint = closest(other, Routing::NAMES).map_or(String::new(), |b| format!("did you mean \"{b}\"? "));
                d.err(
                    r.span(),
                    format!("{key}.routing"),
                    format!("unknown routing rule '{other}'"),
                    format!("{hint}routing is one of: {}", Routing::NAMES.join(", ")),
                );
            }
        }
    }
    match &l.max_wait_days {
        Some(w) if !online => at.wrong_kind(d, w.span(), "max_wait_days", needs),
        Some(w) if (0..=3650).contains(w.get_ref()) => c.max_wait_days = Some(*w.get_ref() as u32),
        Some(w) => d.err(
            w.span(),
            format!("{key}.max_wait_days"),
            format!("must be 0..=3650 days, found {}", w.get_ref()),
            "e.g. max_wait_days = 7",
        ),
        None => {}
    }
    if !online {
        return;
    }
    for (present, what) in [
        (l.source.is_some(), "source"),
        (l.lead_time.is_some(), "lead_time"),
        (l.policy.is_some(), "policy"),
        (l.initial_on_hand.is_some(), "initial_on_hand"),
    ] {
        if present {
            d.err(
                l.id.span(),
                format!("{key}.{what}"),
                format!("online location '{id}' holds no stock, so it has no `{what}`"),
                "its orders are shipped from the nodes of fulfil_from: put stock settings on them",
            );
        }
    }
}

/// A node's shipping cost and delivery days, a store's protection and BOPIS fallback.
fn node_keys(l: &RawLocation, kind: LocationKind, key: &str, c: &mut LocationChannel, d: &mut Diags) {
    let stocking = matches!(kind, LocationKind::Warehouse | LocationKind::Store | LocationKind::Marketplace);
    let bad = |d: &mut Diags, span: std::ops::Range<usize>, what: &str| {
        d.err(
            span,
            format!("{key}.{what}"),
            format!("`{what}` applies to locations that ship online orders, not to a {}", kind.as_str()),
            format!("remove `{what}`"),
        );
    };
    if let Some(v) = &l.ship_cost {
        if stocking {
            c.ship_cost = num_at_least(d, v, &format!("{key}.ship_cost"), 0.0, "ship_cost");
        } else {
            bad(d, v.span(), "ship_cost");
        }
    }
    if let Some(v) = &l.delivery_days {
        if stocking {
            let k = format!("{key}.delivery_days");
            match check_days(v.get_ref(), &v.span(), &k, 0.0, d) {
                Some(Dist::Constant { value }) => c.delivery_days = value,
                Some(dist) => {
                    // Drawn like a lead time (whole days ≥ 1): the mean is that of the draws.
                    c.delivery_days = LeadTime::Random(dist.clone()).mean();
                    c.delivery_draw = Some(dist);
                }
                None => {}
            }
        } else {
            bad(d, v.span(), "delivery_days");
        }
    }
    if let Some(v) = &l.online_protection {
        if stocking {
            c.online_protection = protection(v.get_ref(), &v.span(), &format!("{key}.online_protection"), d);
        } else {
            bad(d, v.span(), "online_protection");
        }
    }
    if let Some(v) = &l.bopis_fallback {
        match v.get_ref().as_str() {
            _ if kind != LocationKind::Store => bad(d, v.span(), "bopis_fallback"),
            "cancel" => c.bopis_fallback = BopisFallback::Cancel,
            "ship_to_store" => c.bopis_fallback = BopisFallback::ShipToStore,
            other => d.err(
                v.span(),
                format!("{key}.bopis_fallback"),
                format!("unknown BOPIS fallback '{other}'"),
                "bopis_fallback is \"cancel\" or \"ship_to_store\"",
            ),
        }
    }
}

/// `online_protection`: units (`inf` or "all" = every unit), `{ days = d }` of walk-in cover or
/// `{ service = p }` of walk-in demand over the store's lead time and review period.
fn protection(v: &Value, span: &std::ops::Range<usize>, key: &str, d: &mut Diags) -> Option<Protection> {
    match v {
        Value::Float(x) if x.is_infinite() && *x > 0.0 => Some(Protection::All),
        Value::String(s) if s == "all" || s == "infinity" => Some(Protection::All),
        Value::String(s) => {
            d.err(
                span.clone(),
                key,
                format!("unknown protection '{s}'"),
                "write units (online_protection = 2), { days = 1.5 }, { service = 0.95 }, or \"all\"",
            );
            None
        }
        _ => check_level(v, span, key, d).map(Protection::Level),
    }
}

/// The nodes of `fulfil_from`, resolved (unknown ids reported).
fn nodes(v: &toml::Spanned<Vec<String>>, key: &str, ids: &Ids<'_>, d: &mut Diags) -> Vec<usize> {
    let mut out = Vec::new();
    for s in v.get_ref() {
        match ids.loc.get(s.as_str()) {
            Some(&n) if !out.contains(&n) => out.push(n),
            Some(_) => {
                d.err(v.span(), format!("{key}.fulfil_from"), format!("'{s}' is listed twice"), "list each node once")
            }
            None => {
                d.err(v.span(), format!("{key}.fulfil_from"), format!("unknown location '{s}'"), ids.location_help(s))
            }
        }
    }
    if v.get_ref().is_empty() {
        d.err(v.span(), format!("{key}.fulfil_from"), "fulfil_from is empty", "list at least one warehouse or store");
    }
    out
}

/// Every node of an online location holds stock (a warehouse, store or marketplace pool), and no
/// location orders from an online location (it holds none) or a marketplace pool (its stock
/// never flows back).
pub(crate) fn check_nodes(raw: &[(usize, RawLocation)], locations: &[Location], d: &mut Diags) {
    for (n, (i, rl)) in raw.iter().enumerate() {
        if let Some(s) = locations[n].source
            && matches!(locations[s].kind, LocationKind::Online | LocationKind::Marketplace)
        {
            d.err(
                rl.source.as_ref().map_or(rl.id.span(), |v| v.span()),
                format!("locations[{i}].source"),
                format!("'{}' is a {} location and supplies no one", locations[s].id, locations[s].kind.as_str()),
                "name a supplier, warehouse or store as the source",
            );
        }
        for &x in &locations[n].channel.fulfil_from {
            let node = &locations[x];
            if !matches!(node.kind, LocationKind::Warehouse | LocationKind::Store | LocationKind::Marketplace) {
                d.err(
                    rl.fulfil_from.as_ref().map_or(rl.id.span(), |v| v.span()),
                    format!("locations[{i}].fulfil_from"),
                    format!("'{}' is a {} and cannot ship online orders", node.id, node.kind.as_str()),
                    "list warehouses, stores and marketplace pools: the locations that hold stock",
                );
            }
        }
    }
}

/// The channel of a demand entry at a location of type `kind`: written, or the location's own
/// (online at an online location, marketplace at a marketplace, walk-in elsewhere).
pub(crate) fn demand_channel(r: &RawDemand, key: &str, kind: LocationKind, d: &mut Diags) -> Channel {
    let default = match kind {
        LocationKind::Online => Channel::Online,
        LocationKind::Marketplace => Channel::Marketplace,
        _ => Channel::Store,
    };
    let Some(c) = &r.channel else { return default };
    let names = Channel::ALL.map(Channel::as_str);
    let Some(ch) = Channel::from_name(c.get_ref()) else {
        let hint = closest(c.get_ref(), names).map_or(String::new(), |b| format!("did you mean \"{b}\"? "));
        d.err(
            c.span(),
            format!("{key}.channel"),
            format!("unknown channel '{}'", c.get_ref()),
            format!("{hint}channel is one of: {}", names.join(", ")),
        );
        return default;
    };
    let fits = match ch {
        Channel::Store => matches!(kind, LocationKind::Store | LocationKind::Warehouse),
        Channel::Online => kind == LocationKind::Online,
        Channel::Bopis => kind == LocationKind::Store,
        // Marketplace orders come out of a pool (its own demand) or are shipped by the merchant
        // (demand on an online location whose nodes ship them).
        Channel::Marketplace => matches!(kind, LocationKind::Marketplace | LocationKind::Online),
    };
    if !fits {
        let help = match ch {
            Channel::Store => "walk-in demand belongs on a store or warehouse",
            Channel::Online => "put online demand on a location of type \"online\" with fulfil_from",
            Channel::Bopis => "BOPIS demand belongs on the store where it is picked up",
            Channel::Marketplace => {
                "put marketplace demand on a location of type \"marketplace\" (a pool) or \"online\""
            }
        };
        d.err(
            c.span(),
            format!("{key}.channel"),
            format!("channel \"{}\" does not fit a location of type {}", ch.as_str(), kind.as_str()),
            help,
        );
        return default;
    }
    ch
}

/// BOPIS orders are online orders picked up in a store: each store with BOPIS demand gets an
/// online location `<store>.bopis` (appended after the file's locations) whose only node is the
/// store (and its source when `bopis_fallback = "ship_to_store"`), and its BOPIS demand entries
/// move there. The engine serves these ahead of walk-in demand. Returns whether any was made.
pub(crate) fn bopis_locations(locations: &mut Vec<Location>, demand: &mut [Demand]) -> bool {
    let n = locations.len();
    let mut made: Vec<(usize, usize)> = Vec::new();
    for dm in demand.iter_mut().filter(|x| x.channel == Channel::Bopis) {
        let store = dm.location;
        let at = match made.iter().find(|(s, _)| *s == store) {
            Some(&(_, at)) => at,
            None => {
                let s = &locations[store];
                let mut fulfil_from = vec![store];
                let ship = s.channel.bopis_fallback == BopisFallback::ShipToStore;
                if let Some(src) = s.source.filter(|_| ship) {
                    fulfil_from.push(src);
                }
                let channel = LocationChannel { fulfil_from, bopis_of: Some(store), ..LocationChannel::default() };
                let mut loc = online_location(format!("{}.bopis", s.id), channel);
                loc.region = s.region.clone();
                loc.tier = s.tier.clone();
                locations.push(loc);
                made.push((store, locations.len() - 1));
                locations.len() - 1
            }
        };
        dm.location = at;
    }
    locations.len() > n
}

/// A generated online location with the given channel keys.
fn online_location(id: String, channel: LocationChannel) -> Location {
    Location {
        order_delay: 0,
        initial_pipeline: 0.0,
        id,
        kind: LocationKind::Online,
        source: None,
        lead_time: LeadTime::Days(1),
        holding_cost: None,
        disruptions: Vec::new(),
        capacity_per_day: None,
        region: None,
        tier: None,
        delays: Vec::new(),
        rationing: crate::allocation::Rationing::Proportional,
        reserve: None,
        push: None,
        launch: None,
        weight: 1.0,
        channel,
    }
}

/// The position of one SKU at an online location: no stock, no orders; costs from the SKU.
pub(crate) fn online_position(location: usize, sku: usize, s: &crate::scenario::Sku, mean: f64, sd: f64) -> Position {
    Position {
        location,
        sku,
        policy: Policy {
            kind: PolicyKind::None,
            specs: Vec::new(),
            review_days: 1,
            review_offset: 0,
            max_order: None,
            forecast: None,
        },
        initial_on_hand: Some(0.0),
        holding_cost: s.holding_cost,
        stockout_cost: s.stockout_cost,
        order_cost: 0.0,
        mean_daily_demand: mean,
        sd_daily_demand: sd,
        routed_daily_demand: 0.0,
        routed_var: 0.0,
        segment: None,
    }
}
