//! Channels, compiled: the orders the engine routes each day (BOPIS first, then online), their
//! nodes in routing order with protection levels in units, and per-position channel economics.

use super::{Channel, Protection, Routing};
use crate::leadtime::{LeadSampler, LeadTime};
use crate::model::NONE;
use crate::policy::validate::{DemandStats, resolve_level};
use crate::rng::entity_key;
use crate::scenario::{LocationKind, Scenario};

/// A node that may ship an order position's units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeRt {
    /// The node's position (same SKU).
    pub pos: u32,
    /// The node's location (it ships nothing while disrupted).
    pub loc: u32,
    /// Shipping cost per unit.
    pub ship_cost: f64,
    /// Days to the customer (the mean of a distribution).
    pub days: f64,
    /// Index of the node's delivery-day draw in [`ChannelRt::deliveries`] (NONE: always `days`).
    pub draw: u32,
    /// BOPIS `ship_to_store`: the store position the units travel to (with its lead time) for
    /// pick-up; NONE when they reach the customer today.
    pub to_store: u32,
    /// Units kept for walk-in customers (∞ = all).
    pub protect: f64,
    /// Whether the node is a store (for the ship-from-store share).
    pub store: bool,
    /// Marketplace commission per unit a marketplace pool ships (0 for other nodes).
    pub fee: f64,
    /// Whether the node's own customers (backorders, then today's demand) come first: false only
    /// for a store's own BOPIS orders, which are served ahead of walk-in.
    pub walk_in_first: bool,
}

/// One position whose orders are shipped from nodes: an online location's SKU, or a store's
/// BOPIS orders of a SKU.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrderRt {
    /// The order position (at the online location).
    pub pos: u32,
    /// Its nodes: `nodes[lo..hi]`, in routing order for the static rules.
    pub lo: u32,
    /// One past its last node.
    pub hi: u32,
    /// The routing rule.
    pub rule: Routing,
    /// BOPIS: never waits for stock; what cannot be filled is cancelled.
    pub bopis: bool,
    /// BOPIS with `ship_to_store`: some units travel to the store and are picked up on arrival.
    pub pickup: bool,
    /// Backorder mode: days an order may wait (`None` = for ever).
    pub max_wait: Option<u32>,
    /// Offset of its waiting-age buckets in the lane's buffer.
    pub wait_at: u32,
}

/// The delivery days of one node for one online location, drawn every simulated day.
#[derive(Clone, Debug)]
pub struct DeliveryRt {
    /// The online location.
    pub online: u32,
    /// The node.
    pub node: u32,
    /// Draws whole days like a lead time.
    pub sampler: LeadSampler,
    /// Stream key: `delivery/<online id>/<node id>`.
    pub key: u64,
}

/// The compiled channels of a model.
#[derive(Clone, Debug, Default)]
pub struct ChannelRt {
    /// Whether the scenario has any channel besides walk-in (reports show channel scopes).
    pub active: bool,
    /// The channels reported as scopes, in [`Channel::ALL`] order (empty when inactive).
    pub channels: Vec<Channel>,
    /// Channel scope (index in `channels`) of each customer-facing position; NONE otherwise.
    pub scope_of: Vec<u32>,
    /// Order positions, BOPIS first (they come before walk-in), then online.
    pub orders: Vec<OrderRt>,
    /// Nodes of every order, back to back.
    pub nodes: Vec<NodeRt>,
    /// Random delivery days: one draw a day per (online location, node), shared by its SKUs.
    pub deliveries: Vec<DeliveryRt>,
    /// BOPIS order positions whose units may travel to a store for pick-up, ascending (units in
    /// transit to them are stock of the network, charged their shipper's holding cost).
    pub pickup_pos: Vec<u32>,
    /// Length of the waiting-age buffer per lane.
    pub wait_len: usize,
    /// Marketplace commission per unit sold, per position (empty without marketplaces).
    pub fee: Vec<f64>,
    /// Removal cost per unit left at the end, per position (empty without marketplaces).
    pub removal: Vec<f64>,
}

/// Compiles the channels; `pos_index[location][sku]` is a position's model index (NONE where
/// none), `customer` whether it faces demand, `whole` whether it counts whole units.
pub fn compile(sc: &Scenario, pos_index: &[Vec<u32>], customer: &[bool], whole: &[bool]) -> ChannelRt {
    let n = customer.len();
    if !sc.has_channels() {
        return ChannelRt { scope_of: Vec::new(), ..ChannelRt::default() };
    }
    let mut rt = ChannelRt { active: true, ..ChannelRt::default() };
    // A position's channel is that of its demand; a marketplace pool's stock belongs to the
    // marketplace channel even when it only ships the orders of an online location.
    let mut pos_ch = vec![None; n];
    for dm in &sc.demand {
        let q = pos_index[dm.location][dm.sku];
        if q != NONE && customer[q as usize] {
            pos_ch[q as usize] = Some(dm.channel);
        }
    }
    for (l, row) in pos_index.iter().enumerate() {
        if sc.locations[l].kind == LocationKind::Marketplace {
            for &q in row.iter().filter(|&&q| q != NONE) {
                pos_ch[q as usize] = Some(Channel::Marketplace);
            }
        }
    }
    rt.channels = Channel::ALL.into_iter().filter(|c| pos_ch.contains(&Some(*c))).collect();
    rt.scope_of = pos_ch
        .iter()
        .map(|c| c.and_then(|c| rt.channels.iter().position(|&x| x == c)).map_or(NONE, |i| i as u32))
        .collect();
    for bopis in [true, false] {
        for (l, loc) in sc.locations.iter().enumerate() {
            if loc.kind != LocationKind::Online || loc.channel.bopis_of.is_some() != bopis {
                continue;
            }
            for (k, &q) in pos_index[l].iter().enumerate() {
                if q != NONE {
                    order(sc, l, k, q, pos_index, whole, &mut rt);
                }
            }
        }
    }
    rt.pickup_pos = rt.orders.iter().filter(|o| o.pickup).map(|o| o.pos).collect();
    rt.pickup_pos.sort_unstable();
    if sc.locations.iter().any(|l| l.kind == LocationKind::Marketplace) {
        (rt.fee, rt.removal) = (vec![0.0; n], vec![0.0; n]);
        for (l, loc) in sc.locations.iter().enumerate().filter(|(_, l)| l.kind == LocationKind::Marketplace) {
            for &q in pos_index[l].iter().filter(|&&q| q != NONE) {
                (rt.fee[q as usize], rt.removal[q as usize]) = (loc.channel.fee_per_unit, loc.channel.removal_cost);
            }
        }
    }
    rt
}

/// Whether any BOPIS order may be shipped to its store for pick-up (`ship_to_store` with a
/// source): such shipments enter the pipeline ring before the day's arrivals are taken, so the
/// ring needs a slot beyond the longest lead time.
pub fn ships_to_stores(sc: &Scenario) -> bool {
    sc.locations.iter().any(|l| l.channel.bopis_of.is_some_and(|s| l.channel.fulfil_from.iter().any(|&x| x != s)))
}

impl ChannelRt {
    /// Whether position `q` receives BOPIS units for pick-up (it has a pipeline of its own).
    pub fn is_pickup(&self, q: usize) -> bool {
        self.pickup_pos.binary_search(&(q as u32)).is_ok()
    }

    /// (order position, shipping position) of every BOPIS pick-up shipment route.
    pub fn pickup_shippers(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.orders.iter().filter(|o| o.pickup).flat_map(move |o| {
            self.nodes[o.lo as usize..o.hi as usize]
                .iter()
                .filter(|nd| nd.to_store != NONE)
                .map(move |nd| (o.pos as usize, nd.pos as usize))
        })
    }
}

/// The order position `q` (location `l`, SKU `k`) and its nodes in routing order.
fn order(sc: &Scenario, l: usize, k: usize, q: u32, pos_index: &[Vec<u32>], whole: &[bool], rt: &mut ChannelRt) {
    let ch = &sc.locations[l].channel;
    let lo = rt.nodes.len() as u32;
    for &x in &ch.fulfil_from {
        let p = pos_index[x][k];
        if p == NONE {
            continue;
        }
        let node = &sc.locations[x];
        let own_store = ch.bopis_of == Some(x);
        let (ship_cost, days, to_store) = match ch.bopis_of {
            // BOPIS: picked up at the store today, or shipped there from its source.
            Some(_) if own_store => (0.0, 0.0, NONE),
            Some(st) => (node.channel.ship_cost, sc.locations[st].lead_time.mean(), pos_index[st][k]),
            None => (node.channel.ship_cost, node.channel.delivery_days, NONE),
        };
        let draw = match &node.channel.delivery_draw {
            Some(dist) if ch.bopis_of.is_none() => delivery(rt, l, x, dist, sc),
            _ => NONE,
        };
        let protect = if own_store { 0.0 } else { protection(sc, x, k, whole[p as usize]) };
        if protect == f64::INFINITY {
            // It keeps every unit: the same as not listing it (it is not the primary node either).
            continue;
        }
        rt.nodes.push(NodeRt {
            pos: p,
            loc: x as u32,
            ship_cost,
            days,
            draw,
            to_store,
            protect,
            store: node.kind == LocationKind::Store,
            fee: node.channel.fee_per_unit,
            walk_in_first: !own_store,
        });
    }
    let rule = ch.routing;
    // Stable sorts: ties keep the list's order.
    let nodes = &mut rt.nodes[lo as usize..];
    match rule {
        Routing::Nearest => nodes.sort_by(|a, b| a.days.total_cmp(&b.days)),
        Routing::Cheapest => nodes.sort_by(|a, b| a.ship_cost.total_cmp(&b.ship_cost)),
        Routing::Preference | Routing::MostStock => {}
    }
    let bopis = ch.bopis_of.is_some();
    let pickup = rt.nodes[lo as usize..].iter().any(|nd| nd.to_store != NONE);
    let max_wait = if sc.simulation.unmet_demand == crate::scenario::UnmetDemand::Backorder && !bopis {
        ch.max_wait_days
    } else {
        None
    };
    let wait_at = rt.wait_len as u32;
    rt.wait_len += max_wait.map_or(0, |w| w as usize + 1);
    rt.orders.push(OrderRt { pos: q, lo, hi: rt.nodes.len() as u32, rule, bopis, pickup, max_wait, wait_at });
}

/// The index of the delivery-day draw of node `x` for online location `l` (made once, shared
/// by the pair's SKUs), keyed by both names.
fn delivery(rt: &mut ChannelRt, l: usize, x: usize, dist: &crate::distribution::Dist, sc: &Scenario) -> u32 {
    let (online, node) = (l as u32, x as u32);
    if let Some(i) = rt.deliveries.iter().position(|d| (d.online, d.node) == (online, node)) {
        return i as u32;
    }
    let key = entity_key(&format!("delivery/{}/{}", sc.locations[l].id, sc.locations[x].id));
    rt.deliveries.push(DeliveryRt { online, node, sampler: LeadSampler::new(&LeadTime::Random(dist.clone())), key });
    (rt.deliveries.len() - 1) as u32
}

/// Units of SKU `k` a node at location `x` keeps from online orders.
fn protection(sc: &Scenario, x: usize, k: usize, whole: bool) -> f64 {
    let loc = &sc.locations[x];
    let Some(p) = loc.channel.online_protection else { return 0.0 };
    let Some(spec) = sc.positions.iter().find(|p| p.location == x && p.sku == k) else { return 0.0 };
    let units = match p {
        Protection::All => return f64::INFINITY,
        Protection::Level(level) => {
            let st = DemandStats { mean: spec.mean_daily_demand, var: spec.sd_daily_demand.powi(2) };
            resolve_level(level, st, &loc.lead_time, spec.policy.review_days)
        }
    };
    if whole { units.ceil() } else { units }
}
