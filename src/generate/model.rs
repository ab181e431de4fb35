//! The retailer drawn from a spec: regions and DCs, stores, SKUs and the demand of every store
//! position.

use rand_distr::{Distribution, StandardNormal};

use super::Spec;
use crate::rng::{SimRng, entity_key, index, splitmix64, unit_f64};

/// A product category: its weekly and yearly pattern, trend and sensitivity to the climate.
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    /// Name (the SKU's description).
    pub name: &'static str,
    /// Day-of-week multipliers, Monday first (mean 1).
    pub weekly: [f64; 7],
    /// Month multipliers, January first (mean 1), for seasonal categories.
    pub monthly: Option<[f64; 12]>,
    /// Growth of demand per year.
    pub trend_per_year: f64,
    /// +1: sells more in a cold region (winter goods); −1: in a warm one (summer goods).
    pub climate: f64,
    /// Share of the SKUs in this category.
    pub share: f64,
}

/// The categories, in the order SKUs draw them.
pub(crate) fn categories() -> Vec<Category> {
    let c = |name, weekly: [f64; 7], monthly: Option<[f64; 12]>, trend_per_year, climate, share| Category {
        name,
        weekly: normalised(weekly),
        monthly: monthly.map(normalised),
        trend_per_year,
        climate,
        share,
    };
    vec![
        c("grocery", [0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 0.95], None, 0.0, 0.0, 0.3),
        c("household", [0.95, 0.9, 0.95, 1.0, 1.05, 1.2, 0.95], None, 0.0, 0.0, 0.2),
        c("apparel", [0.8, 0.75, 0.8, 0.9, 1.15, 1.6, 1.0], None, -0.03, 0.0, 0.15),
        c(
            "winter",
            [0.85, 0.8, 0.85, 0.9, 1.1, 1.5, 1.1],
            Some([1.7, 1.4, 0.9, 0.6, 0.4, 0.3, 0.3, 0.4, 0.7, 1.1, 1.6, 2.2]),
            0.0,
            1.0,
            0.1,
        ),
        c(
            "summer",
            [0.85, 0.8, 0.85, 0.9, 1.05, 1.5, 1.25],
            Some([0.3, 0.4, 0.8, 1.3, 1.7, 1.9, 1.8, 1.4, 0.9, 0.6, 0.4, 0.5]),
            0.0,
            -1.0,
            0.1,
        ),
        c(
            "electronics",
            [0.85, 0.85, 0.9, 0.95, 1.1, 1.4, 0.95],
            Some([0.9, 0.8, 0.85, 0.85, 0.9, 0.9, 0.95, 1.0, 0.95, 1.0, 1.3, 1.6]),
            0.08,
            0.0,
            0.15,
        ),
    ]
}

/// Scales multipliers to mean 1, rounded to 3 decimals (the values written are the values used).
fn normalised<const N: usize>(x: [f64; N]) -> [f64; N] {
    let mean = x.iter().sum::<f64>() / N as f64;
    x.map(|v| (v / mean * 1000.0).round() / 1000.0)
}

/// A store's tier: A the largest 20 %, B the next 30 %, C the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The largest stores.
    A,
    /// Mid-size stores.
    B,
    /// Small stores.
    C,
}

impl Tier {
    /// The label written in locations.csv.
    pub fn label(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
        }
    }
}

/// A DC: it serves one region and orders from the supplier.
#[derive(Clone, Debug, PartialEq)]
pub struct Dc {
    /// Id (`dc-<region>`).
    pub id: String,
    /// Its region.
    pub region: String,
    /// +1 cold … −1 warm: scales winter and summer goods.
    pub climate: f64,
    /// Mean lead time from the supplier in days (7–14), drawn uniformly ±2 days.
    pub lead_time: u32,
}

/// A store.
#[derive(Clone, Debug, PartialEq)]
pub struct Store {
    /// Id (`store-001`, zero-padded so that text order is number order).
    pub id: String,
    /// Index of its DC (and region).
    pub dc: usize,
    /// Size factor (log-normal, median 1): scales every SKU's demand.
    pub size: f64,
    /// Tier by size.
    pub tier: Tier,
    /// Lead time from its DC in days (1–3).
    pub lead_time: u32,
    /// Weekday of its weekly delivery in the sales history (0 = Monday).
    pub delivery_weekday: usize,
}

/// A SKU.
#[derive(Clone, Debug, PartialEq)]
pub struct Sku {
    /// Id (`sku-0001`).
    pub id: String,
    /// Index into [`Retailer::categories`].
    pub category: usize,
    /// Cost of a unit.
    pub unit_cost: f64,
    /// Selling price.
    pub price: f64,
    /// Per unit per day (25 % of the cost a year).
    pub holding_cost: f64,
    /// Per unit lost.
    pub stockout_cost: f64,
    /// Per order.
    pub order_cost: f64,
    /// Rank by velocity (0 = the fastest).
    pub rank: usize,
    /// Expected daily demand at a median store before regional and local differences.
    pub velocity: f64,
    /// Variance / mean of daily demand (1 = Poisson).
    pub dispersion: f64,
    /// Mean size of a purchase when it sells on few days (≥ 1).
    pub size_mean: f64,
    /// Variance of a purchase's size − 1, over its mean (1 = Poisson).
    pub size_dispersion: f64,
}

/// The distribution family of a position's daily demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemandKind {
    /// Poisson (variance = mean).
    Poisson,
    /// Negative binomial (variance > mean).
    NegativeBinomial,
    /// Intermittent: demand on a share `probability` of days, sizes ≥ 1.
    Intermittent,
}

/// The true demand at one store position (daily mean and sd before seasonality).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// Family.
    pub kind: DemandKind,
    /// Mean daily demand.
    pub mean: f64,
    /// Standard deviation of daily demand (√mean for Poisson).
    pub sd: f64,
    /// Share of days with demand (intermittent; 1 otherwise).
    pub probability: f64,
}

/// Below this mean daily demand a position sells on few days: intermittent.
pub const SLOW_MEAN: f64 = 0.25;
/// From this mean daily demand a position is a fast mover.
pub const FAST_MEAN: f64 = 2.0;

/// The drawn retailer.
#[derive(Clone, Debug, PartialEq)]
pub struct Retailer {
    /// What it was drawn from.
    pub spec: Spec,
    /// Product categories.
    pub categories: Vec<Category>,
    /// DCs, one per region.
    pub dcs: Vec<Dc>,
    /// Stores, in id order.
    pub stores: Vec<Store>,
    /// SKUs, in id order.
    pub skus: Vec<Sku>,
    /// Store positions, store-major: `positions[store * skus.len() + sku]`.
    pub positions: Vec<Position>,
}

impl Retailer {
    /// The demand at a store position.
    pub fn position(&self, store: usize, sku: usize) -> &Position {
        &self.positions[store * self.skus.len() + sku]
    }
}

/// A random stream for one entity of the generator, keyed by seed, purpose and the entity's key.
pub(crate) fn stream(seed: u64, purpose: &str, key: u64) -> SimRng {
    let a = splitmix64(seed ^ splitmix64(entity_key(purpose) ^ splitmix64(key)));
    let b = splitmix64(a ^ 0x5851_F42D_4C95_7F2D);
    SimRng::new((u128::from(a) << 64) | u128::from(b))
}

/// A standard normal draw.
pub(crate) fn normal(rng: &mut SimRng) -> f64 {
    StandardNormal.sample(rng)
}

/// Uniform on [lo, hi).
fn uniform(rng: &mut SimRng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * unit_f64(rng)
}

/// `x` rounded to `digits` significant digits.
pub(crate) fn sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// `x` rounded to cents.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// An id with a zero-padded number, at least 3 digits: `store-007` (text order = number order).
fn padded(prefix: &str, i: usize, n: usize) -> String {
    let width = n.to_string().len().max(3);
    format!("{prefix}-{:0width$}", i + 1)
}

/// Names of the first regions; later ones are numbered.
const REGIONS: [(&str, f64); 5] = [("north", 1.0), ("south", -1.0), ("east", 0.3), ("west", -0.4), ("central", 0.1)];

/// Draws the retailer (the spec is checked).
pub(crate) fn build(spec: &Spec) -> Retailer {
    let categories = categories();
    let dcs = dcs(spec);
    let stores = stores(spec, dcs.len());
    let skus = skus(spec, &categories);
    let positions = positions(spec, &categories, &dcs, &stores, &skus);
    Retailer { spec: spec.clone(), categories, dcs, stores, skus, positions }
}

fn dcs(spec: &Spec) -> Vec<Dc> {
    let n = spec.dc_count();
    (0..n)
        .map(|i| {
            let (region, climate) = match REGIONS.get(i) {
                Some(&(name, c)) => (name.to_string(), c),
                None => {
                    let name = padded("region", i, n);
                    let c = uniform(&mut stream(spec.seed, "region", entity_key(&name)), -1.0, 1.0);
                    (name, (c * 100.0).round() / 100.0)
                }
            };
            let id = format!("dc-{region}");
            let lead_time = 7 + index(&mut stream(spec.seed, "dc", entity_key(&id)), 8) as u32;
            Dc { id, region, climate, lead_time }
        })
        .collect()
}

fn stores(spec: &Spec, n_dcs: usize) -> Vec<Store> {
    let mut stores: Vec<Store> = (0..spec.stores)
        .map(|i| {
            let id = padded("store", i, spec.stores);
            let mut r = stream(spec.seed, "store", entity_key(&id));
            let size = sig((0.5 * normal(&mut r)).exp(), 3);
            let lead_time = 1 + index(&mut r, 3) as u32;
            let delivery_weekday = index(&mut r, 7);
            Store { id, dc: 0, size, tier: Tier::C, lead_time, delivery_weekday }
        })
        .collect();
    // Regions: a seeded shuffle dealt round-robin, so that every DC serves at least one store.
    let mut order: Vec<usize> = (0..stores.len()).collect();
    shuffle(&mut order, &mut stream(spec.seed, "regions", 0));
    for (k, &s) in order.iter().enumerate() {
        stores[s].dc = k % n_dcs;
    }
    // Tiers by size: the largest 20 % A, the next 30 % B (ties by id).
    let mut by_size: Vec<usize> = (0..stores.len()).collect();
    by_size.sort_by(|&a, &b| stores[b].size.total_cmp(&stores[a].size).then(a.cmp(&b)));
    let n = stores.len() as f64;
    for (k, &s) in by_size.iter().enumerate() {
        stores[s].tier = if (k as f64) < 0.2 * n {
            Tier::A
        } else if (k as f64) < 0.5 * n {
            Tier::B
        } else {
            Tier::C
        };
    }
    stores
}

/// Fisher–Yates.
fn shuffle(v: &mut [usize], rng: &mut SimRng) {
    for i in (1..v.len()).rev() {
        v.swap(i, index(rng, i + 1));
    }
}

/// Velocity of the fastest SKU at a median store (units a day); rank r sells TOP × (r+1)^-ZIPF.
const TOP_VELOCITY: f64 = 15.0;
/// Exponent of the Zipf law over SKU ranks.
const ZIPF: f64 = 0.9;

fn skus(spec: &Spec, categories: &[Category]) -> Vec<Sku> {
    let mut rank: Vec<usize> = (0..spec.skus).collect();
    shuffle(&mut rank, &mut stream(spec.seed, "ranks", 0));
    (0..spec.skus)
        .map(|i| {
            let id = padded("sku", i, spec.skus);
            let mut r = stream(spec.seed, "sku", entity_key(&id));
            let u = unit_f64(&mut r);
            let mut acc = 0.0;
            let category = categories.iter().position(|c| {
                acc += c.share;
                u < acc
            });
            let unit_cost = cents((6f64.ln() + 0.9 * normal(&mut r)).exp()).max(0.5);
            let price = cents(unit_cost * uniform(&mut r, 1.6, 2.5));
            let noise = (0.25 * normal(&mut r)).exp();
            let dispersion = if unit_f64(&mut r) < 0.35 { 1.0 } else { sig(uniform(&mut r, 1.2, 3.5), 3) };
            let size_mean = sig(uniform(&mut r, 1.2, 3.0), 3);
            let size_dispersion = if unit_f64(&mut r) < 0.5 { 1.0 } else { sig(uniform(&mut r, 1.5, 3.0), 3) };
            Sku {
                category: category.unwrap_or(categories.len() - 1),
                unit_cost,
                price,
                holding_cost: sig(unit_cost * 0.25 / 365.0, 4),
                stockout_cost: cents(0.2 * price),
                order_cost: cents(uniform(&mut r, 1.0, 4.0)),
                rank: rank[i],
                velocity: TOP_VELOCITY * ((rank[i] + 1) as f64).powf(-ZIPF) * noise,
                dispersion,
                size_mean,
                size_dispersion,
                id,
            }
        })
        .collect()
}

/// Regional factor of a category: cold regions sell more winter goods, warm ones more summer
/// goods, and every region differs a little in every category.
fn region_factor(spec: &Spec, dc: &Dc, c: &Category) -> f64 {
    let key = entity_key(&dc.region) ^ splitmix64(entity_key(c.name));
    let noise = (0.1 * normal(&mut stream(spec.seed, "region-category", key))).exp();
    (1.0 + 0.4 * dc.climate * c.climate) * noise
}

fn positions(spec: &Spec, categories: &[Category], dcs: &[Dc], stores: &[Store], skus: &[Sku]) -> Vec<Position> {
    let regional: Vec<Vec<f64>> =
        dcs.iter().map(|dc| categories.iter().map(|c| region_factor(spec, dc, c)).collect()).collect();
    let sku_keys: Vec<u64> = skus.iter().map(|k| splitmix64(entity_key(&k.id))).collect();
    let mut out = Vec::with_capacity(stores.len() * skus.len());
    for st in stores {
        let store_key = entity_key(&st.id);
        for (k, sku) in skus.iter().enumerate() {
            let mut r = stream(spec.seed, "position", store_key ^ sku_keys[k]);
            let local = (0.2 * normal(&mut r)).exp();
            let mean = sig((sku.velocity * st.size * regional[st.dc][sku.category] * local).max(0.002), 4);
            out.push(demand_of(sku, mean));
        }
    }
    out
}

/// The demand model of a position with this mean.
fn demand_of(sku: &Sku, mean: f64) -> Position {
    if mean < SLOW_MEAN {
        // Occurrence × size: sizes 1 + (Poisson or negative binomial) with the SKU's moments.
        let size_var = sku.size_dispersion * (sku.size_mean - 1.0);
        let probability = sig(mean / sku.size_mean, 4);
        let second = probability * (size_var + sku.size_mean * sku.size_mean);
        let sd = sig((second - mean * mean).max(0.0).sqrt(), 4);
        return Position { kind: DemandKind::Intermittent, mean, sd, probability };
    }
    if sku.dispersion == 1.0 {
        Position { kind: DemandKind::Poisson, mean, sd: mean.sqrt(), probability: 1.0 }
    } else {
        Position {
            kind: DemandKind::NegativeBinomial,
            mean,
            sd: sig((sku.dispersion * mean).sqrt(), 4),
            probability: 1.0,
        }
    }
}
