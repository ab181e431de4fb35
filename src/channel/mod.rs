//! Channels: walk-in, online orders routed to fulfilment nodes, ship-from-store with store
//! protection, buy-online-pick-up-in-store (BOPIS) and marketplace pools.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`). A scenario without any non-store channel compiles to an inactive [`ChannelRt`] and
//! the engine never calls the step.

pub mod compile;
pub mod plan;
pub mod step;
pub mod validate;

pub use compile::ChannelRt;
pub(crate) use step::ChannelLane;

use crate::distribution::Dist;
use crate::policy::LevelSpec;

/// The channel a customer demand belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// Walk-in customers served from a store's (or warehouse's) own shelf (the default).
    Store,
    /// Online orders, placed on a location of `type = "online"` and shipped from its nodes.
    Online,
    /// Bought online, picked up in a store: served from that store's stock ahead of walk-in.
    Bopis,
    /// Sold on a third-party marketplace out of a dedicated pool (`type = "marketplace"`).
    Marketplace,
}

impl Channel {
    /// Every channel, in report order.
    pub const ALL: [Channel; 4] = [Channel::Store, Channel::Online, Channel::Bopis, Channel::Marketplace];

    /// Name as written in scenario files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Store => "store",
            Channel::Online => "online",
            Channel::Bopis => "bopis",
            Channel::Marketplace => "marketplace",
        }
    }

    /// Looks a channel up by name.
    pub fn from_name(s: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How an online location picks the node that ships an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// The order of `fulfil_from`.
    Preference,
    /// Fewest delivery days first (ties in list order).
    Nearest,
    /// Lowest shipping cost per unit first (ties in list order).
    Cheapest,
    /// The node with the most units available today first (ties in list order).
    MostStock,
}

impl Routing {
    /// Names accepted in scenario files.
    pub const NAMES: [&'static str; 4] = ["preference", "nearest", "cheapest", "most_stock"];

    /// Name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Preference => "preference",
            Routing::Nearest => "nearest",
            Routing::Cheapest => "cheapest",
            Routing::MostStock => "most_stock",
        }
    }
}

/// What happens to a BOPIS order the store cannot fill from its shelf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BopisFallback {
    /// The order is cancelled (lost, counted as a cancellation).
    Cancel,
    /// The store's source ships it to the store (the store's lead time); the customer waits for
    /// it (a customer backorder of the order position) and picks it up the day it arrives.
    ShipToStore,
}

/// Units of a store's stock kept from online orders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Protection {
    /// A stock level: units, days of walk-in cover, or a service target of walk-in demand over
    /// the store's lead time and review period (like a policy's levels).
    Level(LevelSpec),
    /// Every unit: the store ships nothing online (the same as not listing it).
    All,
}

/// The channel keys of one location (each applies to the location types named).
#[derive(Clone, Debug, PartialEq)]
pub struct LocationChannel {
    /// Online: the nodes (warehouses, stores) that may ship its orders, in preference order.
    pub fulfil_from: Vec<usize>,
    /// Online: how a node is picked.
    pub routing: Routing,
    /// Online, backorder mode: days an order may wait before it is cancelled (`None` = for ever).
    pub max_wait_days: Option<u32>,
    /// Node: shipping cost per unit sent to an online customer.
    pub ship_cost: f64,
    /// Node: days from shipping to the customer's door; for a distribution, the mean of the whole
    /// days drawn (what the `nearest` rule compares).
    pub delivery_days: f64,
    /// Node: the distribution delivery days are drawn from, per day and online location
    /// (`None`: always `delivery_days`).
    pub delivery_draw: Option<Dist>,
    /// Store: stock kept from online orders (`None` = 0 units).
    pub online_protection: Option<Protection>,
    /// Store: what happens to BOPIS orders it cannot fill.
    pub bopis_fallback: BopisFallback,
    /// Marketplace: the platform's commission per unit sold.
    pub fee_per_unit: f64,
    /// Marketplace: cost per unit still in the pool at the end of the horizon.
    pub removal_cost: f64,
    /// The store whose BOPIS orders this (generated) online location takes, if it is one.
    pub bopis_of: Option<usize>,
}

impl Default for LocationChannel {
    fn default() -> Self {
        LocationChannel {
            fulfil_from: Vec::new(),
            routing: Routing::Preference,
            max_wait_days: None,
            ship_cost: 0.0,
            delivery_days: 1.0,
            delivery_draw: None,
            online_protection: None,
            bopis_fallback: BopisFallback::Cancel,
            fee_per_unit: 0.0,
            removal_cost: 0.0,
            bopis_of: None,
        }
    }
}
