//! The online demand each fulfilment node plans for.
//!
//! Routing decides day by day which node ships an online order; planning — levels in days of
//! cover or service, push and launch weights, the plan forecast — needs an expected share ahead
//! of time. Each online demand entry goes where routing sends it first: the first node of
//! `fulfil_from` for `preference`, the fewest delivery days for `nearest`, the lowest shipping
//! cost for `cheapest` (ties in list order, as routing breaks them: that node ships what it can
//! spare before the next is asked, so a node planned for the whole demand ships it), every node
//! evenly for `most_stock` (routing turns to the fullest node, which evens stocks out).
//!
//! Which nodes a rule sees follows the visibility mode: under `unified` every node; under
//! `siloed` the web shop's planning does not see store stock, so only non-store nodes plan for
//! online demand (stores keep to their own walk-in and BOPIS demand). A node kept whole from
//! online orders (`online_protection = "all"`) ships none and plans for none.

use super::{Protection, Routing};
use crate::demand::Demand;
use crate::records::Visibility;
use crate::scenario::{Location, LocationKind, RoutedShare};

/// The expected share of each online demand entry each node ships, in demand order, then node
/// order of `fulfil_from`. Empty without online demand.
pub(crate) fn routed_shares(locations: &[Location], demand: &[Demand], visibility: Visibility) -> Vec<RoutedShare> {
    let mut out = Vec::new();
    for (i, dm) in demand.iter().enumerate() {
        let online = &locations[dm.location];
        if online.kind != LocationKind::Online {
            continue;
        }
        let ch = &online.channel;
        let hidden = |x: usize| {
            let node = &locations[x];
            visibility == Visibility::Siloed && node.kind == LocationKind::Store
                || node.channel.online_protection == Some(Protection::All)
        };
        let nodes = ch.fulfil_from.iter().copied().filter(|&x| !hidden(x));
        // Where routing sends an order first: ties to the node listed first.
        let first_by = |key: fn(&super::LocationChannel) -> f64| {
            nodes.clone().fold(None, |best: Option<(usize, f64)>, x| {
                let k = key(&locations[x].channel);
                if best.is_some_and(|(_, b)| b <= k) { best } else { Some((x, k)) }
            })
        };
        let top: Vec<usize> = match ch.routing {
            Routing::Preference => nodes.take(1).collect(),
            Routing::Nearest => first_by(|c| c.delivery_days).map(|(x, _)| x).into_iter().collect(),
            Routing::Cheapest => first_by(|c| c.ship_cost).map(|(x, _)| x).into_iter().collect(),
            Routing::MostStock => nodes.collect(),
        };
        if top.is_empty() {
            continue;
        }
        let share = 1.0 / top.len() as f64;
        out.extend(top.into_iter().map(|node| RoutedShare { demand: i, node, share }));
    }
    out
}

/// Mean and variance of the part `share` of a daily demand with mean `mean` and variance `var`,
/// as if each unit picked its node independently (binomial thinning; exact for Poisson demand).
pub(crate) fn thinned(mean: f64, var: f64, share: f64) -> (f64, f64) {
    (share * mean, share * share * var + share * (1.0 - share) * mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_a_poisson_demand_leaves_a_poisson_demand() {
        let (m, v) = thinned(12.0, 12.0, 1.0 / 6.0);
        assert!((m - 2.0).abs() < 1e-12 && (v - 2.0).abs() < 1e-12);
        assert_eq!(thinned(5.0, 9.0, 1.0), (5.0, 9.0));
    }
}
