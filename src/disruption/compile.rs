//! Disruptions, compiled: outage processes per location (Markov chains, scheduled windows with
//! an optional capacity cut) and transport delays per lane, with their schedules laid out per
//! simulated day.

use super::{Delay, Disruption};
use crate::leadtime::{LeadSampler, LeadTime};
use crate::rng::entity_key;
use crate::scenario::Location;

/// An outage process at one location.
#[derive(Clone, Debug)]
pub enum DisruptionRt {
    /// Two-state Markov chain.
    Markov {
        /// Location index.
        loc: u32,
        /// P(up → down) per day.
        p_down: f64,
        /// P(down → up) per day.
        p_up: f64,
        /// Stream key.
        key: u64,
    },
    /// Fixed windows, precomputed per simulated day.
    Scheduled {
        /// Location index.
        loc: u32,
        /// Whether the window is active on each simulated day.
        active: Box<[bool]>,
        /// Capacity while active (`None` = fully down).
        capacity: Option<f64>,
    },
}

/// A transport-delay process on one lane.
#[derive(Clone, Debug)]
pub struct DelayRt {
    /// The lane (receiving location).
    pub lane: u32,
    /// Scheduled: whether active on each simulated day. `None` = random events.
    pub schedule: Option<Box<[bool]>>,
    /// Random: probability that an event starts on a day without one.
    pub p_start: f64,
    /// Random: length of an event in days.
    pub duration: LeadSampler,
    /// Days added to the lead time (drawn per event, or per day of a scheduled window).
    pub extra: LeadSampler,
    /// Stream key.
    pub key: u64,
}

/// Marks the measured days inside `windows` (inclusive, measured-day numbers) in `flags`, and
/// returns whether each simulated day (warm-up first) is inside one.
fn windows_by_day(windows: &[(i64, i64)], flags: &mut [bool], warmup: usize, total_days: usize) -> Box<[bool]> {
    let inside = |day: i64| windows.iter().any(|&(a, b)| day >= a && day <= b);
    for (day, flag) in flags.iter_mut().enumerate() {
        if inside(day as i64) {
            *flag = true;
        }
    }
    (0..total_days).map(|t| inside(t as i64 - warmup as i64)).collect()
}

/// Compiles every lane's transport delays; marks scheduled ones in `disrupted_static` (per
/// measured day) and returns them with the most days they can add to each lane.
pub(crate) fn delays(
    locations: &[Location],
    warmup: usize,
    total_days: usize,
    disrupted_static: &mut [bool],
) -> (Vec<DelayRt>, Vec<u32>) {
    let mut delays = Vec::new();
    let mut max_extra = vec![0u32; locations.len()];
    for (l, loc) in locations.iter().enumerate() {
        for (j, dl) in loc.delays.iter().enumerate() {
            let key = entity_key(&format!("delay/{}/{j}", loc.id));
            let rt = match dl {
                Delay::Scheduled { windows, extra_days } => DelayRt {
                    lane: l as u32,
                    schedule: Some(windows_by_day(windows, disrupted_static, warmup, total_days)),
                    p_start: 0.0,
                    duration: LeadSampler::Const(1),
                    extra: LeadSampler::new(&LeadTime::Random(extra_days.clone())),
                    key,
                },
                Delay::Random { mean_days_between, duration, extra_days } => DelayRt {
                    lane: l as u32,
                    schedule: None,
                    p_start: 1.0 / mean_days_between,
                    duration: LeadSampler::new(&LeadTime::Random(duration.clone())),
                    extra: LeadSampler::new(&LeadTime::Random(extra_days.clone())),
                    key,
                },
            };
            max_extra[l] += rt.extra.max_days();
            delays.push(rt);
        }
    }
    (delays, max_extra)
}

/// Compiles every location's outages and shipping capacity; marks scheduled outages in
/// `disrupted_static` (per measured day).
pub(crate) fn outages(
    locations: &[Location],
    warmup: usize,
    total_days: usize,
    disrupted_static: &mut [bool],
) -> (Vec<DisruptionRt>, Vec<f64>) {
    let mut disruptions = Vec::new();
    let mut capacity = vec![f64::INFINITY; locations.len()];
    for (l, loc) in locations.iter().enumerate() {
        if let Some(c) = loc.capacity_per_day {
            capacity[l] = c;
        }
        for (j, dz) in loc.disruptions.iter().enumerate() {
            disruptions.push(match dz {
                Disruption::Markov { mean_days_up, mean_days_down } => DisruptionRt::Markov {
                    loc: l as u32,
                    p_down: 1.0 / mean_days_up,
                    p_up: 1.0 / mean_days_down,
                    key: entity_key(&format!("disruption/{}/{j}", loc.id)),
                },
                Disruption::Scheduled { windows, capacity_per_day } => DisruptionRt::Scheduled {
                    loc: l as u32,
                    active: windows_by_day(windows, disrupted_static, warmup, total_days),
                    capacity: *capacity_per_day,
                },
            });
        }
    }
    (disruptions, capacity)
}
