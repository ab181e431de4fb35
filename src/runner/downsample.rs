//! Day-by-day records for charts stay small for any horizon (issue 12: `--days 10000000` wrote
//! 796 MB SVGs): past [`MAX_DAILY_POINTS`] days a replication's record keeps means over whole
//! weeks (or multiples of a week), so no chart has more than a few thousand points.

use super::DayRecord;

/// Horizons up to this many days are charted day by day.
pub const MAX_DAILY_POINTS: usize = 3000;

/// Days per point of a record of `days` measured days: 1 up to [`MAX_DAILY_POINTS`], else the
/// smallest multiple of 7 that keeps the points at or below that.
pub fn step_for(days: usize) -> usize {
    if days <= MAX_DAILY_POINTS { 1 } else { 7 * days.div_ceil(7 * MAX_DAILY_POINTS) }
}

impl DayRecord {
    /// The record with points of `step_for(days)` days each: every quantity is its mean per
    /// day over the point's days (the last point may cover fewer), except the locations' running
    /// totals, kept at the point's last day. Unchanged up to
    /// [`MAX_DAILY_POINTS`] days.
    pub fn downsampled(mut self, days: usize, n_loc: usize) -> DayRecord {
        let step = step_for(days);
        if step == 1 {
            return self;
        }
        self.network = means(&self.network, 1, step);
        if n_loc > 0 && !self.locations.is_empty() {
            let mut locations = means(&self.locations, n_loc, step);
            // Demand and same-day service are running totals: a point keeps their value at its
            // last day, so differences between points stay exact totals.
            for (p, x) in locations.iter_mut().enumerate() {
                let (point, l) = (p / n_loc, p % n_loc);
                let last = ((point + 1) * step).min(days) - 1;
                let end = self.locations[last * n_loc + l];
                (x[2], x[3]) = (end[2], end[3]);
            }
            self.locations = locations;
        }
        self.step = step;
        self
    }
}

/// Means over buckets of `step` rows of `width` records each (row-major: `row * width + i`).
fn means<const N: usize>(v: &[[f64; N]], width: usize, step: usize) -> Vec<[f64; N]> {
    let rows = v.len() / width;
    let mut out = Vec::with_capacity(rows.div_ceil(step) * width);
    for start in (0..rows).step_by(step) {
        let end = (start + step).min(rows);
        for i in 0..width {
            let mut acc = [0.0; N];
            for row in start..end {
                for (a, x) in acc.iter_mut().zip(&v[row * width + i]) {
                    *a += x;
                }
            }
            out.push(acc.map(|a| a / (end - start) as f64));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_records_become_weekly_means() {
        assert_eq!(step_for(365), 1);
        assert_eq!(step_for(MAX_DAILY_POINTS), 1);
        assert_eq!(step_for(10_000), 7);
        assert_eq!(step_for(100_000), 35);
        assert!(10_000_000usize.div_ceil(step_for(10_000_000)) <= MAX_DAILY_POINTS);
        // 10 days of one location: day d has on hand d, backlog 1; weekly means 3 and 8.
        let days = 10;
        let rec = DayRecord {
            network: (0..days).map(|d| [d as f64; 5]).collect(),
            locations: (0..days).map(|d| [d as f64, 1.0, 0.0, 0.0]).collect(),
            ..Default::default()
        };
        let (net, loc) = (means(&rec.network, 1, 7), means(&rec.locations, 1, 7));
        assert_eq!(net, vec![[3.0; 5], [8.0; 5]]);
        assert_eq!(loc, vec![[3.0, 1.0, 0.0, 0.0], [8.0, 1.0, 0.0, 0.0]]);
        // Two locations interleaved per day keep their own means.
        let two: Vec<[f64; 2]> = (0..4).flat_map(|d| [[d as f64, 0.0], [10.0 * d as f64, 1.0]]).collect();
        assert_eq!(means(&two, 2, 2), vec![[0.5, 0.0], [5.0, 1.0], [2.5, 0.0], [25.0, 1.0]]);
        // Running totals (demand and same-day service so far) keep the value of a point's last
        // day, so differences between points are exact totals.
        let days = 7 * 1000;
        let rec = DayRecord {
            network: vec![[0.0; 5]; days],
            locations: (0..days).map(|d| [0.0, 0.0, (d + 1) as f64, d as f64]).collect(),
            ..Default::default()
        }
        .downsampled(days, 1);
        assert_eq!(rec.step, 7);
        assert_eq!(rec.locations[0], [0.0, 0.0, 7.0, 6.0]);
        assert_eq!(rec.locations[999], [0.0, 0.0, 7000.0, 6999.0]);
        // A long record is cut to at most MAX_DAILY_POINTS points.
        let long = DayRecord { network: vec![[1.0; 5]; 10_000], ..Default::default() }.downsampled(10_000, 0);
        assert_eq!((long.step, long.network.len()), (7, 1429));
    }
}
