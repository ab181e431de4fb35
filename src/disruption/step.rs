//! Disruptions, day by day: step 1 of the day (DESIGN.md §2) — every outage process draws its
//! state, lanes draw their lead times, and transport delays add to them.

use super::compile::DisruptionRt;
use crate::leadtime::LeadSampler;
use crate::model::Model;
use crate::rng::{Purpose, SimRng, stream, unit_f64};

/// What one replication (lane) keeps of disruptions and lead times between days.
#[derive(Clone, Debug)]
pub(crate) struct DisruptionLane {
    /// State of each Markov disruption (true = down).
    pub markov_down: Vec<bool>,
    /// Stream of each outage process (unused by scheduled ones).
    pub rng: Vec<SimRng>,
    /// Lead-time stream of each random lane (`Model::random_lanes`).
    pub lane_rng: Vec<SimRng>,
    /// Random delay processes: days left in the current event and its extra days.
    pub delay_state: Vec<(u32, u32)>,
    /// Stream of each delay process.
    pub delay_rng: Vec<SimRng>,
}

impl DisruptionLane {
    /// Allocates what a model needs.
    pub fn new(m: &Model) -> DisruptionLane {
        let blank = || stream(0, 0, Purpose::Demand, 0);
        DisruptionLane {
            markov_down: vec![false; m.processes.disruptions.len()],
            rng: vec![blank(); m.processes.disruptions.len()],
            lane_rng: vec![blank(); m.processes.random_lanes.len()],
            delay_state: vec![(0, 0); m.processes.delays.len()],
            delay_rng: vec![blank(); m.processes.delays.len()],
        }
    }

    /// Resets for replication `rep`: every stream keyed by its name.
    pub fn reset(&mut self, m: &Model, seed: u64, rep: u64) {
        self.markov_down.fill(false);
        for (r, &l) in self.lane_rng.iter_mut().zip(&m.processes.random_lanes) {
            *r = stream(seed, rep, Purpose::LeadTime, m.processes.lane_key[l as usize]);
        }
        for (r, d) in self.rng.iter_mut().zip(&m.processes.disruptions) {
            let key = match d {
                DisruptionRt::Markov { key, .. } => *key,
                DisruptionRt::Scheduled { .. } => 0,
            };
            *r = stream(seed, rep, Purpose::Disruption, key);
        }
        self.delay_state.fill((0, 0));
        for (r, d) in self.delay_rng.iter_mut().zip(&m.processes.delays) {
            *r = stream(seed, rep, Purpose::Delay, d.key);
        }
    }
}

/// Step 1 for one lane on simulated day `t`: which locations ship (`up`) and how much
/// (`cap`), and the lead time of a shipment leaving today on each lane (`lead`). Returns whether
/// a random outage or delay is under way (a disruption for the resilience KPIs).
#[inline(always)]
pub(crate) fn disruptions_and_lanes(
    m: &Model,
    z: &mut DisruptionLane,
    up: &mut [bool],
    cap: &mut [f64],
    lead: &mut [u32],
    t: usize,
) -> bool {
    if !m.processes.disruptions.is_empty() {
        up.fill(true);
        cap.copy_from_slice(&m.processes.capacity);
        for (i, d) in m.processes.disruptions.iter().enumerate() {
            match d {
                DisruptionRt::Markov { loc, p_down, p_up, .. } => {
                    let u = unit_f64(&mut z.rng[i]);
                    let down = &mut z.markov_down[i];
                    *down = if *down { u >= *p_up } else { u < *p_down };
                    if *down {
                        up[*loc as usize] = false;
                    }
                }
                DisruptionRt::Scheduled { loc, active, capacity } => {
                    if active[t] {
                        match capacity {
                            None => up[*loc as usize] = false,
                            Some(c) => cap[*loc as usize] = cap[*loc as usize].min(*c),
                        }
                    }
                }
            }
        }
    }
    for (i, &l) in m.processes.random_lanes.iter().enumerate() {
        lead[l as usize] = m.processes.lanes[l as usize].draw(&mut z.lane_rng[i]);
    }
    let mut disrupted = z.markov_down.iter().any(|&d| d);
    if !m.processes.delays.is_empty() {
        disrupted |= delays(m, z, lead, t);
    }
    disrupted
}

/// Adds today's transport delays to the lanes' lead times; returns whether a random delay is
/// under way.
#[inline(always)]
fn delays(m: &Model, z: &mut DisruptionLane, lead: &mut [u32], t: usize) -> bool {
    let mut disrupted = false;
    // Delayed lanes start from their base lead time (constant, or drawn above) every day.
    for &l in &m.processes.delayed_lanes {
        if let LeadSampler::Const(c) = m.processes.lanes[l as usize] {
            lead[l as usize] = c;
        }
    }
    for (i, d) in m.processes.delays.iter().enumerate() {
        let extra = match &d.schedule {
            Some(active) => {
                if active[t] {
                    d.extra.draw(&mut z.delay_rng[i])
                } else {
                    0
                }
            }
            None => {
                let (left, extra) = &mut z.delay_state[i];
                if *left == 0 && unit_f64(&mut z.delay_rng[i]) < d.p_start {
                    *left = d.duration.draw(&mut z.delay_rng[i]);
                    *extra = d.extra.draw(&mut z.delay_rng[i]);
                }
                if *left > 0 {
                    *left -= 1;
                    disrupted = true;
                    *extra
                } else {
                    0
                }
            }
        };
        lead[d.lane as usize] += extra;
    }
    disrupted
}
