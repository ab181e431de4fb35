//! The cost columns: one definition shared by the KPI sums (engine totals) and the trace rows.

use crate::model::Model;

/// Cost rates of one position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostRates {
    /// Per unit on hand at the end of a day.
    pub holding: f64,
    /// Per unit of customer demand backordered at the end of a day, or per unit lost.
    pub stockout: f64,
    /// Per order placed.
    pub order: f64,
    /// Per unit in transit to the position at the end of a day (the shipper's holding cost).
    pub transit: f64,
    /// Whether unmet customer demand is lost (charged once) rather than backordered (charged
    /// per day it waits).
    pub lost_sales: bool,
}

/// The quantities costs are charged on: one day's values, or their sums over days.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CostBasis {
    /// End-of-day units on hand.
    pub on_hand: f64,
    /// Customer demand lost.
    pub lost: f64,
    /// End-of-day customer backorders (internal backorders carry no stockout cost).
    pub cust_backorders: f64,
    /// Orders placed (days with an order).
    pub orders: f64,
    /// End-of-day units in transit to the position.
    pub in_transit: f64,
}

/// The four cost columns, in report order.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Costs {
    /// Holding cost.
    pub holding: f64,
    /// Stockout cost.
    pub stockout: f64,
    /// Ordering cost.
    pub order: f64,
    /// Pipeline (in-transit) holding cost.
    pub transit: f64,
}

impl CostRates {
    /// The cost rates of position `q` of a model.
    pub fn of(m: &Model, q: usize) -> Self {
        CostRates {
            holding: m.econ.h[q],
            stockout: m.econ.p[q],
            order: m.econ.k[q],
            transit: m.econ.h_transit[q],
            lost_sales: m.lost_sales,
        }
    }

    /// The costs charged on `b`.
    pub fn costs(&self, b: &CostBasis) -> Costs {
        let short = if self.lost_sales { b.lost } else { b.cust_backorders };
        Costs {
            holding: self.holding * b.on_hand,
            stockout: self.stockout * short,
            order: self.order * b.orders,
            transit: self.transit * b.in_transit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stockout_cost_follows_the_unmet_demand_mode() {
        let b = CostBasis { on_hand: 10.0, lost: 2.0, cust_backorders: 5.0, orders: 1.0, in_transit: 4.0 };
        let r = CostRates { holding: 0.5, stockout: 3.0, order: 7.0, transit: 0.25, lost_sales: false };
        assert_eq!(r.costs(&b), Costs { holding: 5.0, stockout: 15.0, order: 7.0, transit: 1.0 });
        let lost = CostRates { lost_sales: true, ..r };
        assert_eq!(lost.costs(&b).stockout, 6.0);
    }
}
