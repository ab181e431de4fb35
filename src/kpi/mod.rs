//! KPI definitions: per-replication accumulators and the one formula of each KPI.
//!
//! Every KPI is computed from a [`ScopeAcc`] — the sums of one *scope* over the measured days of
//! one replication. A scope is a position (one SKU at one location), a location (its SKUs summed)
//! or the whole network. Flows are counted as they cross the scope's boundary: for a location,
//! units shipped to other locations leave it; for the network only sales to customers leave and
//! only receipts from external suppliers enter. So turnover, sell-through and bullwhip have one
//! definition at every level.

mod cost;

pub use cost::{CostBasis, CostRates, Costs};

/// The KPIs, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kpi {
    /// Units served from stock the day they were demanded ÷ units demanded.
    FillRate,
    /// Share of customer-facing position-days with demand not fully served that day.
    StockoutRate,
    /// End-of-day units on hand.
    AvgOnHand,
    /// End-of-day units owed to customers or downstream locations.
    AvgBackorders,
    /// End-of-day units in transit to the scope.
    AvgInTransit,
    /// Customer demand lost per day.
    LostSales,
    /// Customer demand per day.
    UnitsDemanded,
    /// Units handed to customers per day.
    UnitsSold,
    /// Holding cost per day.
    HoldingCost,
    /// Stockout cost per day (backorders per day, or lost units).
    StockoutCost,
    /// Fixed ordering cost per day.
    OrderCost,
    /// Holding cost of pipeline stock per day (at the shipping location's rate).
    InTransitHoldingCost,
    /// Sum of the four costs per day.
    TotalCost,
    /// Share of stocking position-days on which an order was placed.
    OrdersPerDay,
    /// Units leaving the scope per year ÷ average on hand.
    InventoryTurnover,
    /// Units leaving the scope ÷ (initial on hand + units received from outside it).
    SellThrough,
    /// Annualised gross margin ÷ average inventory at cost.
    Gmroi,
    /// Variance of daily orders placed ÷ variance of daily demand received.
    Bullwhip,
    /// End-of-day inventory value at cost.
    AvgInventoryValue,
    /// Units per day ordered from the scope's sources.
    UnitsOrdered,
    /// Network only: days from the start of the first disruption until the 7-day fill rate is
    /// back at 99 % of its level before it (0 if it never dropped below).
    TimeToRecover,
    /// Network only: 1 if the fill rate recovered within the horizon, else 0.
    Recovered,
    /// Network only: largest end-of-day backlog (units owed) from the disruption on.
    PeakBacklog,
    /// Network only: value at price of the demand not served on its day, from the start of the
    /// disruption until recovery (lost sales, or revenue delayed by backorders).
    DisruptionLostRevenue,
    /// Units per day moved out to other stores by lateral transfers.
    UnitsTransferred,
    /// Cost of lateral transfers per day (included in total cost).
    TransferCost,
    /// Units held back in a tier's reserve at the end of a day.
    ReserveHeld,
    /// Weighted mean absolute percentage error of 1-day demand forecasts: Σ|F − D| ÷ ΣD.
    ForecastMape,
    /// Relative bias of 1-day demand forecasts: Σ(F − D) ÷ ΣD (> 0: over-forecasting).
    ForecastBias,
    /// Channels: units cancelled (BOPIS the store could not fill, online orders that waited
    /// past `max_wait_days`) ÷ units demanded.
    CancellationRate,
    /// Channels: cost of shipping online and BOPIS orders from their nodes, per day.
    FulfilmentCost,
    /// Channels: mean delivery days of the units shipped to online customers (unit-weighted).
    AvgDeliveryDays,
    /// Channels: share of the units shipped to online customers that stores shipped.
    ShipFromStoreShare,
    /// Channels: marketplace commission per day (fee per unit × units sold there).
    MarketplaceFees,
    /// Channels: revenue (price × units sold) net of marketplace fees, per day.
    NetRevenue,
    /// Channels: units left in marketplace pools at the end of the horizon.
    StrandedUnits,
    /// Channels: value at cost of the stranded units.
    StrandedValue,
    /// Channels: cost of removing the stranded units (removal cost per unit), per day of the
    /// horizon (included in total cost).
    RemovalCost,
    /// Records: mean |recorded − physical on-hand| over the position-days with records.
    RecordError,
    /// Records: share of position-days ending with the record different from the shelf.
    InaccurateRecordShare,
    /// Records: position-days ending with a record above zero and nothing on the shelf.
    PhantomStockoutDays,
    /// Records: units per day lost from shelves unrecorded (theft, damage, spoilage).
    ShrinkageUnits,
    /// Records: those units at cost, per day (included in total cost).
    ShrinkageCost,
    /// Records: positions counted per day.
    CountsPerDay,
    /// Records: cost of the counts per day (included in total cost).
    CountCost,
    /// Records with channels: online and BOPIS units per day cancelled because a node's record
    /// showed stock its shelf did not have.
    CancellationsFromInaccuracy,
}

/// A KPI is written as its name (`fill_rate`).
impl serde::Serialize for Kpi {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl Kpi {
    /// All KPIs in report order.
    pub const ALL: [Kpi; 46] = [
        Kpi::FillRate,
        Kpi::StockoutRate,
        Kpi::AvgOnHand,
        Kpi::AvgBackorders,
        Kpi::AvgInTransit,
        Kpi::LostSales,
        Kpi::UnitsDemanded,
        Kpi::UnitsSold,
        Kpi::HoldingCost,
        Kpi::StockoutCost,
        Kpi::OrderCost,
        Kpi::InTransitHoldingCost,
        Kpi::TotalCost,
        Kpi::OrdersPerDay,
        Kpi::InventoryTurnover,
        Kpi::SellThrough,
        Kpi::Gmroi,
        Kpi::Bullwhip,
        Kpi::AvgInventoryValue,
        Kpi::UnitsOrdered,
        Kpi::TimeToRecover,
        Kpi::Recovered,
        Kpi::PeakBacklog,
        Kpi::DisruptionLostRevenue,
        Kpi::UnitsTransferred,
        Kpi::TransferCost,
        Kpi::ReserveHeld,
        Kpi::ForecastMape,
        Kpi::ForecastBias,
        Kpi::CancellationRate,
        Kpi::FulfilmentCost,
        Kpi::AvgDeliveryDays,
        Kpi::ShipFromStoreShare,
        Kpi::MarketplaceFees,
        Kpi::NetRevenue,
        Kpi::StrandedUnits,
        Kpi::StrandedValue,
        Kpi::RemovalCost,
        Kpi::RecordError,
        Kpi::InaccurateRecordShare,
        Kpi::PhantomStockoutDays,
        Kpi::ShrinkageUnits,
        Kpi::ShrinkageCost,
        Kpi::CountsPerDay,
        Kpi::CountCost,
        Kpi::CancellationsFromInaccuracy,
    ];
    /// Number of KPIs.
    pub const COUNT: usize = Self::ALL.len();

    /// The KPI's name in output files.
    pub fn name(self) -> &'static str {
        match self {
            Kpi::FillRate => "fill_rate",
            Kpi::StockoutRate => "stockout_rate",
            Kpi::AvgOnHand => "avg_on_hand",
            Kpi::AvgBackorders => "avg_backorders",
            Kpi::AvgInTransit => "avg_in_transit",
            Kpi::LostSales => "lost_sales",
            Kpi::UnitsDemanded => "units_demanded",
            Kpi::UnitsSold => "units_sold",
            Kpi::HoldingCost => "holding_cost",
            Kpi::StockoutCost => "stockout_cost",
            Kpi::OrderCost => "order_cost",
            Kpi::InTransitHoldingCost => "in_transit_holding_cost",
            Kpi::TotalCost => "total_cost",
            Kpi::OrdersPerDay => "orders_per_day",
            Kpi::InventoryTurnover => "inventory_turnover",
            Kpi::SellThrough => "sell_through",
            Kpi::Gmroi => "gmroi",
            Kpi::Bullwhip => "bullwhip",
            Kpi::AvgInventoryValue => "avg_inventory_value",
            Kpi::UnitsOrdered => "units_ordered",
            Kpi::TimeToRecover => "time_to_recover",
            Kpi::Recovered => "recovered",
            Kpi::PeakBacklog => "peak_backlog",
            Kpi::DisruptionLostRevenue => "disruption_lost_revenue",
            Kpi::UnitsTransferred => "units_transferred",
            Kpi::TransferCost => "transfer_cost",
            Kpi::ReserveHeld => "reserve_held",
            Kpi::ForecastMape => "forecast_mape",
            Kpi::ForecastBias => "forecast_bias",
            Kpi::CancellationRate => "cancellation_rate",
            Kpi::FulfilmentCost => "fulfilment_cost",
            Kpi::AvgDeliveryDays => "avg_delivery_days",
            Kpi::ShipFromStoreShare => "ship_from_store_share",
            Kpi::MarketplaceFees => "marketplace_fees",
            Kpi::NetRevenue => "net_revenue",
            Kpi::StrandedUnits => "stranded_units",
            Kpi::StrandedValue => "stranded_value",
            Kpi::RemovalCost => "removal_cost",
            Kpi::RecordError => "record_error",
            Kpi::InaccurateRecordShare => "inaccurate_record_share",
            Kpi::PhantomStockoutDays => "phantom_stockout_days",
            Kpi::ShrinkageUnits => "shrinkage_units",
            Kpi::ShrinkageCost => "shrinkage_cost",
            Kpi::CountsPerDay => "counts_per_day",
            Kpi::CountCost => "count_cost",
            Kpi::CancellationsFromInaccuracy => "cancellations_from_inaccuracy",
        }
    }

    /// KPIs of optional features, written only where they are defined (like resilience).
    pub fn optional(self) -> bool {
        self.resilience() || self.channel() || self.records() || matches!(self, Kpi::ForecastMape | Kpi::ForecastBias)
    }

    /// Channel KPIs, defined only in scenarios with a channel besides walk-in (and written, in
    /// `replications.csv` too, only there).
    pub fn channel(self) -> bool {
        matches!(
            self,
            Kpi::CancellationRate
                | Kpi::FulfilmentCost
                | Kpi::AvgDeliveryDays
                | Kpi::ShipFromStoreShare
                | Kpi::MarketplaceFees
                | Kpi::NetRevenue
                | Kpi::StrandedUnits
                | Kpi::StrandedValue
                | Kpi::RemovalCost
        )
    }

    /// Record KPIs, defined only in scenarios with inventory records (and written, in
    /// `replications.csv` too, only there).
    pub fn records(self) -> bool {
        matches!(
            self,
            Kpi::RecordError
                | Kpi::InaccurateRecordShare
                | Kpi::PhantomStockoutDays
                | Kpi::ShrinkageUnits
                | Kpi::ShrinkageCost
                | Kpi::CountsPerDay
                | Kpi::CountCost
                | Kpi::CancellationsFromInaccuracy
        )
    }

    /// Resilience KPIs, defined for the network of a disrupted scenario only.
    pub fn resilience(self) -> bool {
        matches!(self, Kpi::TimeToRecover | Kpi::Recovered | Kpi::PeakBacklog | Kpi::DisruptionLostRevenue)
    }

    /// Looks a KPI up by name.
    pub fn from_name(name: &str) -> Option<Kpi> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Whether larger is better (for marking comparisons).
    pub fn higher_is_better(self) -> Option<bool> {
        match self {
            Kpi::FillRate | Kpi::UnitsSold | Kpi::InventoryTurnover | Kpi::SellThrough | Kpi::Gmroi => Some(true),
            Kpi::StockoutRate
            | Kpi::AvgBackorders
            | Kpi::LostSales
            | Kpi::HoldingCost
            | Kpi::StockoutCost
            | Kpi::OrderCost
            | Kpi::InTransitHoldingCost
            | Kpi::TotalCost
            | Kpi::Bullwhip
            | Kpi::TimeToRecover
            | Kpi::PeakBacklog
            | Kpi::DisruptionLostRevenue
            | Kpi::TransferCost
            | Kpi::ForecastMape
            | Kpi::CancellationRate
            | Kpi::FulfilmentCost
            | Kpi::AvgDeliveryDays
            | Kpi::MarketplaceFees
            | Kpi::StrandedUnits
            | Kpi::StrandedValue
            | Kpi::RemovalCost
            | Kpi::RecordError
            | Kpi::InaccurateRecordShare
            | Kpi::PhantomStockoutDays
            | Kpi::ShrinkageUnits
            | Kpi::ShrinkageCost
            | Kpi::CountCost
            | Kpi::CancellationsFromInaccuracy => Some(false),
            Kpi::Recovered | Kpi::NetRevenue => Some(true),
            _ => None,
        }
    }

    /// Unit for labels.
    pub fn unit(self) -> &'static str {
        match self {
            Kpi::FillRate | Kpi::StockoutRate | Kpi::OrdersPerDay | Kpi::SellThrough => "share",
            Kpi::AvgOnHand | Kpi::AvgBackorders | Kpi::AvgInTransit => "units",
            Kpi::LostSales | Kpi::UnitsDemanded | Kpi::UnitsSold | Kpi::UnitsOrdered => "units/day",
            Kpi::HoldingCost | Kpi::StockoutCost | Kpi::OrderCost | Kpi::InTransitHoldingCost | Kpi::TotalCost => {
                "cost/day"
            }
            Kpi::InventoryTurnover => "turns/year",
            Kpi::Gmroi => "margin $ per $ inventory/year",
            Kpi::Bullwhip => "ratio",
            Kpi::AvgInventoryValue => "cost units",
            Kpi::TimeToRecover => "days",
            Kpi::Recovered => "share",
            Kpi::PeakBacklog => "units",
            Kpi::DisruptionLostRevenue => "revenue",
            Kpi::UnitsTransferred => "units/day",
            Kpi::TransferCost => "cost/day",
            Kpi::ReserveHeld => "units",
            Kpi::ForecastMape | Kpi::ForecastBias => "share",
            Kpi::CancellationRate | Kpi::ShipFromStoreShare => "share",
            Kpi::FulfilmentCost | Kpi::MarketplaceFees | Kpi::RemovalCost => "cost/day",
            Kpi::AvgDeliveryDays => "days",
            Kpi::NetRevenue => "revenue/day",
            Kpi::StrandedUnits => "units",
            Kpi::StrandedValue => "cost units",
            Kpi::RecordError => "units",
            Kpi::InaccurateRecordShare => "share",
            Kpi::PhantomStockoutDays => "position-days",
            Kpi::ShrinkageUnits => "units/day",
            Kpi::ShrinkageCost | Kpi::CountCost => "cost/day",
            Kpi::CountsPerDay => "counts/day",
            Kpi::CancellationsFromInaccuracy => "units/day",
        }
    }
}

/// Sums over the measured days of one replication for one scope.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScopeAcc {
    /// Measured days.
    pub days: f64,
    /// Customer-facing position-days.
    pub cust_pos_days: f64,
    /// Stocking position-days.
    pub stock_pos_days: f64,
    /// Customer demand.
    pub demand: f64,
    /// Demand served from stock on the day it occurred.
    pub served_now: f64,
    /// Units handed to customers (including backorders filled later).
    pub sold: f64,
    /// Lost customer demand.
    pub lost: f64,
    /// Position-days with customer demand not fully served.
    pub stockout_days: f64,
    /// Position-days with an order placed.
    pub order_days: f64,
    /// Units ordered from the scope's sources.
    pub ordered: f64,
    /// Σ end-of-day on hand.
    pub on_hand: f64,
    /// Σ end-of-day on hand × unit cost.
    pub value: f64,
    /// Σ end-of-day customer backorders.
    pub bo_customer: f64,
    /// Σ end-of-day units owed to downstream locations.
    pub bo_internal: f64,
    /// Σ end-of-day units in transit to the scope.
    pub in_transit: f64,
    /// Holding cost.
    pub holding_cost: f64,
    /// Stockout cost.
    pub stockout_cost: f64,
    /// Ordering cost.
    pub order_cost: f64,
    /// Pipeline holding cost.
    pub transit_cost: f64,
    /// Units shipped to downstream locations.
    pub shipped: f64,
    /// Units received from the scope's sources.
    pub received: f64,
    /// On hand at the start of the first measured day.
    pub initial: f64,
    /// Units leaving the scope (sales, and shipments to locations outside it).
    pub issued: f64,
    /// Initial on hand plus units received from outside the scope.
    pub inflow: f64,
    /// Gross margin of sales, (price − unit cost) × units sold.
    pub margin: f64,
    /// Σ daily orders placed by the scope.
    pub orders_sum: f64,
    /// Σ squared daily orders.
    pub orders_sq: f64,
    /// Σ daily demand received by the scope (customers plus downstream orders).
    pub dem_sum: f64,
    /// Σ squared daily demand received.
    pub dem_sq: f64,
    /// Resilience KPIs [time to recover, recovered, peak backlog, lost revenue] (network only).
    pub resilience: Option<[f64; 4]>,
    /// Units transferred in by lateral transfers.
    pub transfer_in: f64,
    /// Units transferred out.
    pub transfer_out: f64,
    /// Cost of transfers out.
    pub transfer_cost: f64,
    /// Σ end-of-day units held in reserve.
    pub reserve_held: f64,
    /// Σ |1-day forecast − demand| over forecast positions.
    pub fc_abs: f64,
    /// Σ (1-day forecast − demand).
    pub fc_err: f64,
    /// Σ demand of forecast positions.
    pub fc_actual: f64,
    /// Whether the scenario has channels (channel KPIs are undefined otherwise).
    pub channels: bool,
    /// Units cancelled (BOPIS short, online orders waiting too long).
    pub cancelled: f64,
    /// Shipping cost of online and BOPIS orders (included in total cost).
    pub fulfil_cost: f64,
    /// Σ units × delivery days of units shipped to online customers.
    pub delivery_days: f64,
    /// Units shipped to online customers.
    pub fulfilled: f64,
    /// Of those, units shipped by stores.
    pub from_store: f64,
    /// Marketplace commission of the units sold.
    pub fees: f64,
    /// Price × units sold.
    pub revenue: f64,
    /// Units left in marketplace pools at the end.
    pub stranded: f64,
    /// Their value at cost.
    pub stranded_value: f64,
    /// Cost of removing them (included in total cost).
    pub removal_cost: f64,
    /// Whether the scenario keeps inventory records (record KPIs are undefined otherwise).
    pub records: bool,
    /// Position-days of positions with records.
    pub rec_pos_days: f64,
    /// Σ end-of-day |recorded − physical|.
    pub rec_abs_gap: f64,
    /// Position-days ending with recorded ≠ physical.
    pub rec_inaccurate: f64,
    /// Position-days ending with recorded > 0 and physical = 0.
    pub rec_phantom: f64,
    /// Units lost to shrinkage.
    pub shrunk: f64,
    /// Their value at cost (included in total cost).
    pub shrink_cost: f64,
    /// Positions counted.
    pub counts: f64,
    /// Cost of the counts (included in total cost).
    pub count_cost: f64,
    /// Online and BOPIS units cancelled because a record promised stock the shelf lacked.
    pub cancel_inaccurate: f64,
}

impl ScopeAcc {
    /// Adds another scope's sums (for aggregation; daily-variance sums are not additive and are
    /// accumulated per scope by the engine instead).
    pub fn add_flows(&mut self, o: &ScopeAcc) {
        self.cust_pos_days += o.cust_pos_days;
        self.stock_pos_days += o.stock_pos_days;
        self.demand += o.demand;
        self.served_now += o.served_now;
        self.sold += o.sold;
        self.lost += o.lost;
        self.stockout_days += o.stockout_days;
        self.order_days += o.order_days;
        self.ordered += o.ordered;
        self.on_hand += o.on_hand;
        self.value += o.value;
        self.bo_customer += o.bo_customer;
        self.bo_internal += o.bo_internal;
        self.in_transit += o.in_transit;
        self.holding_cost += o.holding_cost;
        self.stockout_cost += o.stockout_cost;
        self.order_cost += o.order_cost;
        self.transit_cost += o.transit_cost;
        self.shipped += o.shipped;
        self.received += o.received;
        self.initial += o.initial;
        self.issued += o.issued;
        self.inflow += o.inflow;
        self.margin += o.margin;
        self.transfer_in += o.transfer_in;
        self.transfer_out += o.transfer_out;
        self.transfer_cost += o.transfer_cost;
        self.reserve_held += o.reserve_held;
        self.fc_abs += o.fc_abs;
        self.fc_err += o.fc_err;
        self.fc_actual += o.fc_actual;
        self.channels |= o.channels;
        self.cancelled += o.cancelled;
        self.fulfil_cost += o.fulfil_cost;
        self.delivery_days += o.delivery_days;
        self.fulfilled += o.fulfilled;
        self.from_store += o.from_store;
        self.fees += o.fees;
        self.revenue += o.revenue;
        self.stranded += o.stranded;
        self.stranded_value += o.stranded_value;
        self.removal_cost += o.removal_cost;
        self.records |= o.records;
        self.rec_pos_days += o.rec_pos_days;
        self.rec_abs_gap += o.rec_abs_gap;
        self.rec_inaccurate += o.rec_inaccurate;
        self.rec_phantom += o.rec_phantom;
        self.shrunk += o.shrunk;
        self.shrink_cost += o.shrink_cost;
        self.counts += o.counts;
        self.count_cost += o.count_cost;
        self.cancel_inaccurate += o.cancel_inaccurate;
    }

    /// Computes every KPI; NaN marks an undefined value (reported as null).
    pub fn kpis(&self) -> [f64; Kpi::COUNT] {
        let mut out = [f64::NAN; Kpi::COUNT];
        for (i, k) in Kpi::ALL.iter().enumerate() {
            out[i] = self.kpi(*k);
        }
        out
    }

    /// One KPI's value (NaN if undefined).
    pub fn kpi(&self, k: Kpi) -> f64 {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let d = self.days;
        match k {
            Kpi::FillRate => ratio(self.served_now, self.demand),
            Kpi::StockoutRate => ratio(self.stockout_days, self.cust_pos_days),
            Kpi::AvgOnHand => ratio(self.on_hand, d),
            Kpi::AvgBackorders => ratio(self.bo_customer + self.bo_internal, d),
            Kpi::AvgInTransit => ratio(self.in_transit, d),
            Kpi::LostSales => ratio(self.lost, d),
            Kpi::UnitsDemanded => ratio(self.demand, d),
            Kpi::UnitsSold => ratio(self.sold, d),
            Kpi::HoldingCost => ratio(self.holding_cost, d),
            Kpi::StockoutCost => ratio(self.stockout_cost, d),
            Kpi::OrderCost => ratio(self.order_cost, d),
            Kpi::InTransitHoldingCost => ratio(self.transit_cost, d),
            // Without channels or records their costs are +0.0, which leaves the sum's bits alone.
            Kpi::TotalCost => ratio(
                self.holding_cost
                    + self.stockout_cost
                    + self.order_cost
                    + self.transit_cost
                    + self.transfer_cost
                    + self.fulfil_cost
                    + self.removal_cost
                    + self.shrink_cost
                    + self.count_cost,
                d,
            ),
            Kpi::OrdersPerDay => ratio(self.order_days, self.stock_pos_days),
            Kpi::InventoryTurnover => ratio(self.issued * 365.0, self.on_hand),
            Kpi::SellThrough => ratio(self.issued, self.inflow),
            // No customer demand, no margin to earn: undefined (README), not a return of 0.
            Kpi::Gmroi => {
                if self.demand > 0.0 {
                    ratio(self.margin * 365.0, self.value)
                } else {
                    f64::NAN
                }
            }
            Kpi::Bullwhip => bullwhip([self.orders_sum, self.orders_sq], [self.dem_sum, self.dem_sq], d),
            Kpi::AvgInventoryValue => ratio(self.value, d),
            Kpi::UnitsOrdered => ratio(self.ordered, d),
            Kpi::TimeToRecover => self.resilience.map_or(f64::NAN, |r| r[0]),
            Kpi::Recovered => self.resilience.map_or(f64::NAN, |r| r[1]),
            Kpi::PeakBacklog => self.resilience.map_or(f64::NAN, |r| r[2]),
            Kpi::DisruptionLostRevenue => self.resilience.map_or(f64::NAN, |r| r[3]),
            Kpi::UnitsTransferred => ratio(self.transfer_out, d),
            Kpi::TransferCost => ratio(self.transfer_cost, d),
            Kpi::ReserveHeld => ratio(self.reserve_held, d),
            Kpi::ForecastMape => ratio(self.fc_abs, self.fc_actual),
            Kpi::ForecastBias => ratio(self.fc_err, self.fc_actual),
            k if k.records() => self.record_kpi(k),
            _ if !self.channels => f64::NAN,
            Kpi::CancellationRate => ratio(self.cancelled, self.demand),
            Kpi::FulfilmentCost => ratio(self.fulfil_cost, d),
            Kpi::AvgDeliveryDays => ratio(self.delivery_days, self.fulfilled),
            Kpi::ShipFromStoreShare => ratio(self.from_store, self.fulfilled),
            Kpi::MarketplaceFees => ratio(self.fees, d),
            Kpi::NetRevenue => ratio(self.revenue - self.fees, d),
            Kpi::StrandedUnits => self.stranded,
            Kpi::StrandedValue => self.stranded_value,
            Kpi::RemovalCost => ratio(self.removal_cost, d),
            _ => f64::NAN,
        }
    }

    /// A record KPI's value (NaN without records).
    fn record_kpi(&self, k: Kpi) -> f64 {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        if !self.records {
            return f64::NAN;
        }
        let d = self.days;
        match k {
            Kpi::RecordError => ratio(self.rec_abs_gap, self.rec_pos_days),
            Kpi::InaccurateRecordShare => ratio(self.rec_inaccurate, self.rec_pos_days),
            Kpi::PhantomStockoutDays => self.rec_phantom,
            Kpi::ShrinkageUnits => ratio(self.shrunk, d),
            Kpi::ShrinkageCost => ratio(self.shrink_cost, d),
            Kpi::CountsPerDay => ratio(self.counts, d),
            Kpi::CountCost => ratio(self.count_cost, d),
            Kpi::CancellationsFromInaccuracy if self.channels => ratio(self.cancel_inaccurate, d),
            _ => f64::NAN,
        }
    }
}

/// Bullwhip ratio over `days` days: variance of the daily orders ÷ variance of the daily demand,
/// each given as `[Σ x, Σ x²]`; NaN when there are no days or the demand does not vary.
pub fn bullwhip(orders: [f64; 2], demand: [f64; 2], days: f64) -> f64 {
    if days <= 0.0 {
        return f64::NAN;
    }
    let var = |[s, q]: [f64; 2]| (q / days - (s / days).powi(2)).max(0.0);
    let (vo, vd) = (var(orders), var(demand));
    // Relative threshold: a constant demand stream has zero variance up to rounding, and a
    // ratio over rounding noise would be meaningless.
    if vd <= 1e-12 * (demand[1] / days).max(1e-300) { f64::NAN } else { vo / vd }
}

/// Days over which the recovering fill rate is measured.
pub const RECOVERY_WINDOW: usize = 7;
/// Days before a disruption that set the level to recover to.
pub const PRE_DISRUPTION_DAYS: usize = 28;
/// Share of the pre-disruption fill rate that counts as recovered (so that a level of 100 %
/// can be regained despite a single short day).
pub const RECOVERY_SHARE: f64 = 0.99;

/// Resilience KPIs of one replication from its daily network record (per measured day:
/// `[demand, served the same day, on hand, backlog, value of unserved demand]`), the same record
/// of the last warm-up days (`warm`, at most [`PRE_DISRUPTION_DAYS`], oldest first) and the days
/// on which a disruption was active: `[time to recover, recovered, peak backlog, lost revenue]`,
/// all NaN when no disruption happened or too little history precedes it.
///
/// The disruption starts on its first measured day S and ends on the last day E of that first
/// spell. The level to recover to is the fill rate of the 28 days before S — warm-up days count,
/// so a disruption early in the measured days still has its baseline; with fewer than 28 days
/// before S (S < 28 and a shorter warm-up) the days there are serve as the baseline, and with fewer than 7 (or no
/// demand in them) there is no level to recover to and every resilience KPI is NaN (null). The
/// fill rate is then followed over trailing 7-day windows. If it never falls below 99 % of the
/// level the time to recover is 0; otherwise recovery is the first day R ≥ E after the dip at
/// which it is back at 99 % of the level, and the time to recover is R − S + 1 days.
pub fn resilience(daily: &[[f64; 5]], warm: &[[f64; 5]], disrupted: &[bool]) -> [f64; 4] {
    let nan = [f64::NAN; 4];
    let Some(start) = disrupted.iter().position(|&x| x) else { return nan };
    let end = start + disrupted[start..].iter().take_while(|&&x| x).count() - 1;
    let measured = &daily[start.saturating_sub(PRE_DISRUPTION_DAYS)..start];
    let from_warm = (PRE_DISRUPTION_DAYS - measured.len()).min(warm.len());
    let pre = warm[warm.len() - from_warm..].iter().chain(measured);
    let (pd, ps) = pre.fold((0.0, 0.0), |(d, s), x| (d + x[0], s + x[1]));
    if measured.len() + from_warm < RECOVERY_WINDOW || pd <= 0.0 {
        return nan;
    }
    let threshold = RECOVERY_SHARE * ps / pd;
    let trailing = |day: usize| {
        let w = &daily[(day + 1).saturating_sub(RECOVERY_WINDOW)..=day];
        let (d, s) = w.iter().fold((0.0, 0.0), |(d, s), x| (d + x[0], s + x[1]));
        if d > 0.0 { s / d } else { 1.0 }
    };
    let horizon = daily.len();
    let dip = (start..horizon).find(|&day| trailing(day) < threshold);
    let recovery = match dip {
        None => Some(start),
        Some(dip) => (dip.max(end)..horizon).find(|&day| trailing(day) >= threshold),
    };
    let until = recovery.unwrap_or(horizon - 1);
    let peak = daily[start..].iter().map(|x| x[3]).fold(0.0, f64::max);
    let lost: f64 = daily[start..=until].iter().map(|x| x[4]).sum();
    match (dip, recovery) {
        (None, _) => [0.0, 1.0, peak, lost],
        (Some(_), Some(r)) => [(r - start + 1) as f64, 1.0, peak, lost],
        (Some(_), None) => [f64::NAN, 0.0, peak, lost],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Kpi::ALL {
            assert_eq!(Kpi::from_name(k.name()), Some(k));
        }
    }

    #[test]
    fn undefined_kpis_are_nan() {
        let a = ScopeAcc { days: 10.0, ..Default::default() };
        assert!(a.kpi(Kpi::FillRate).is_nan());
        assert!(a.kpi(Kpi::Bullwhip).is_nan());
        assert_eq!(a.kpi(Kpi::AvgOnHand), 0.0);
    }

    #[test]
    fn resilience_of_a_hand_made_record() {
        // 100 days of demand 10; nothing served on days 31..=40 (outage 30..=39), backlog
        // building to 100 and cleared on day 41.
        let mut daily = vec![[10.0, 10.0, 0.0, 0.0, 0.0]; 100];
        let mut disrupted = vec![false; 100];
        for d in 30..=39 {
            disrupted[d] = true;
        }
        for d in 31..=40 {
            daily[d] = [10.0, 0.0, 0.0, 10.0 * (d - 30) as f64, 150.0];
        }
        let [ttr, rec, peak, lost] = resilience(&daily, &[], &disrupted);
        // The 7-day fill rate is back to 100 % on day 47 (days 41..=47 all served): 47 − 30 + 1.
        assert_eq!((ttr, rec, peak), (18.0, 1.0, 100.0));
        assert_eq!(lost, 1500.0);
        // No disruption: undefined.
        assert!(resilience(&daily, &[], &[false; 100]).iter().all(|x| x.is_nan()));
    }

    /// Issue 12: a disruption on measured day 3 had no baseline; warm-up days now serve as it.
    #[test]
    fn resilience_baseline_reaches_into_the_warm_up() {
        let mut daily = vec![[10.0, 10.0, 0.0, 0.0, 0.0]; 60];
        let mut disrupted = vec![false; 60];
        disrupted[3] = true;
        daily[4] = [10.0, 0.0, 0.0, 10.0, 150.0];
        // Without warm-up: 3 days before S, fewer than the 7 needed: undefined.
        assert!(resilience(&daily, &[], &disrupted).iter().all(|x| x.is_nan()));
        // With 20 warm-up days at a fill rate of 100 %: the dip on day 4 is recovered once day
        // 4 leaves the trailing window, on day 11: 11 − 3 + 1 = 9 days.
        let warm = vec![[10.0, 10.0, 0.0, 0.0, 0.0]; 20];
        let [ttr, rec, peak, lost] = resilience(&daily, &warm, &disrupted);
        assert_eq!((ttr, rec, peak, lost), (9.0, 1.0, 10.0, 150.0));
        // The baseline is the 28 days before S: 25 warm-up days + 3 measured. Warm-up days
        // serving half the demand set the level to recover to at (25·5 + 3·10) / 280 of it.
        let half = vec![[10.0, 5.0, 0.0, 0.0, 0.0]; 40];
        let [ttr, ..] = resilience(&daily, &half, &disrupted);
        // 99 % of 155/280 = 0.548: the trailing window with day 4 (60/70 = 0.857) never dips.
        assert_eq!(ttr, 0.0);
    }

    #[test]
    fn bullwhip_ratio_and_constant_demand() {
        // Orders 0, 4 (variance 4) against demand 1, 3 (variance 1) over two days.
        assert_eq!(bullwhip([4.0, 16.0], [4.0, 10.0], 2.0), 4.0);
        // Constant demand 0.1 a day: zero variance up to rounding, so undefined.
        let (s, q) = (0.1 + 0.1 + 0.1, 0.01 + 0.01 + 0.01);
        assert!(bullwhip([3.0, 5.0], [s, q], 3.0).is_nan());
        assert!(bullwhip([0.0, 0.0], [0.0, 0.0], 0.0).is_nan());
    }

    #[test]
    fn hand_computed_kpis() {
        let a = ScopeAcc {
            days: 10.0,
            cust_pos_days: 10.0,
            stock_pos_days: 10.0,
            demand: 100.0,
            served_now: 90.0,
            sold: 95.0,
            stockout_days: 2.0,
            order_days: 5.0,
            on_hand: 200.0,
            value: 2000.0,
            issued: 95.0,
            inflow: 190.0,
            margin: 475.0,
            holding_cost: 20.0,
            stockout_cost: 7.0,
            ..Default::default()
        };
        assert_eq!(a.kpi(Kpi::FillRate), 0.9);
        assert_eq!(a.kpi(Kpi::StockoutRate), 0.2);
        assert_eq!(a.kpi(Kpi::OrdersPerDay), 0.5);
        assert_eq!(a.kpi(Kpi::TotalCost), 2.7);
        assert_eq!(a.kpi(Kpi::InventoryTurnover), 95.0 * 365.0 / 200.0);
        assert_eq!(a.kpi(Kpi::SellThrough), 0.5);
        assert_eq!(a.kpi(Kpi::Gmroi), 475.0 * 365.0 / 2000.0);
    }
}
