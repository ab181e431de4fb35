//! Fan charts: percentile bands of a quantity per day, on a day or calendar axis.

use super::*;

pub(super) struct Fan<'a> {
    pub(super) title: &'a str,
    pub(super) y_label: &'a str,
    pub(super) days: &'a [f64],
    pub(super) axis: TimeAxis,
    pub(super) bands: &'a [FanSeries],
    pub(super) windows: &'a [Window],
}

pub(super) const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A day axis with the given ticks (plotters' own key-point binding loses the label formatter).
pub(super) struct TimeCoord {
    pub(super) inner: RangedCoordf64,
    pub(super) ticks: Vec<f64>,
}

impl Ranged for TimeCoord {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }
}

/// Tick labels of a time axis.
pub(super) type TickLabel = Box<dyn Fn(&f64) -> String>;

/// Ticks, their labels and the axis title of a time axis over days `x0..=x1`. Day numbers get
/// round values as on any axis; dates get the first of every month (every 2nd, 3rd, 6th or 12th
/// month on long horizons, weekly steps on short ones), with the year on the first tick and on
/// every January.
pub(super) fn time_ticks(axis: TimeAxis, x0: f64, x1: f64) -> (Vec<f64>, TickLabel, &'static str) {
    let TimeAxis::Dates(start) = axis else {
        let ticks = RangedCoordf64::from(x0..x1).key_points(X_LABELS);
        return (ticks, Box::new(tick_format(x0, x1, X_LABELS)), "day");
    };
    use crate::calendar::{civil_from_days, days_from_civil};
    let z0 = days_from_civil(start.0, start.1, start.2);
    let (first, last) = (x0.ceil() as i64, x1.floor() as i64);
    let mut ticks: Vec<f64> = Vec::new();
    if last - first <= 70 {
        // Short horizons: every week from day 0's weekday on.
        let step = if last - first <= 21 { 2 } else { 7 };
        let mut d = first;
        while d <= last {
            ticks.push(d as f64);
            d += step;
        }
    } else {
        let months = ((last - first) as f64 / 30.44).ceil() as i64;
        let step = [1, 2, 3, 6, 12, 24, 60, 120].into_iter().find(|s| months / s <= 12).unwrap_or(240);
        let (mut y, mut m, _) = civil_from_days(z0 + first);
        // The first tick month is a multiple of the step (January-aligned), at or after day x0.
        loop {
            let z = days_from_civil(y, m, 1) - z0;
            if z > last {
                break;
            }
            if z >= first && (i64::from(m) - 1) % step.min(12) == 0 && (step <= 12 || i64::from(y) % (step / 12) == 0) {
                ticks.push(z as f64);
            }
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
    let first_tick = ticks.first().copied();
    let monthly = last - first > 70;
    let label = move |v: &f64| {
        let (y, m, d) = civil_from_days(z0 + v.round() as i64);
        let with_year = Some(*v) == first_tick || (m == 1 && (monthly || d <= 7));
        let name = MONTHS[(m as usize - 1) % 12];
        match (monthly, with_year) {
            (true, true) => format!("{name} {y}"),
            (true, false) => name.to_string(),
            (false, true) => format!("{d} {name} {y}"),
            (false, false) => format!("{d} {name}"),
        }
    };
    (ticks, Box::new(label), "date")
}

/// Runs of consecutive indices where `keep` holds.
pub(super) fn runs(n: usize, keep: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=n {
        match (i < n && keep(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

impl Chart for Fan<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let days = self.days;
        let valid = |s: &FanSeries, i: usize| {
            ok(days[i]) && [s.p5[i], s.p25[i], s.p50[i], s.p75[i], s.p95[i]].iter().all(|&v| ok(v))
        };
        let xr =
            finite_range(self.bands.iter().flat_map(|s| (0..days.len()).filter(|&i| valid(s, i)).map(|i| days[i])));
        let yr = finite_range(
            self.bands
                .iter()
                .flat_map(|s| (0..days.len()).filter(|&i| valid(s, i)).flat_map(|i| [s.p5[i], s.p95[i], s.p50[i]])),
        );
        let (Some((dx0, dx1)), Some((ylo, yhi))) = (xr, yr) else {
            let body = draw_header(root, &Header { title: self.title, subtitle: None, legend: vec![] })?;
            let note = if self.bands.is_empty() { "no series given" } else { "no day with finite percentiles" };
            return draw_no_data(&body, note);
        };
        let mut legend: Vec<LegendItem> = self
            .bands
            .iter()
            .enumerate()
            .filter(|(_, s)| (0..days.len()).any(|i| valid(s, i)))
            .map(|(k, s)| item(s.label.clone(), Swatch::Band(PALETTE[k % PALETTE.len()])))
            .collect();
        let shown: Vec<&Window> = self.windows.iter().filter(|w| w.last >= dx0 && w.first <= dx1).collect();
        for kind in [WindowKind::Outage, WindowKind::Promotion] {
            if shown.iter().any(|w| w.kind == kind) {
                legend.push(item(kind.label(), Swatch::Fill(kind.color().mix(0.22))));
            }
        }
        let subtitle = Some("line: median · dark band: p25–p75 · light band: p5–p95".to_string());
        let body = draw_header(root, &Header { title: self.title, subtitle, legend })?;

        let (x0, x1) = if dx1 > dx0 { (dx0, dx1) } else { padded(dx0, dx1, 0.0) };
        // Stock-like quantities read best against a zero baseline.
        let ylo = if ylo >= 0.0 && ylo <= 0.3 * yhi { 0.0 } else { ylo };
        let (y0, y1) = padded(ylo, yhi, 0.05);
        let y0 = if ylo == 0.0 && yhi > 0.0 { 0.0 } else { y0 };
        let ya = y_area_width(root, y0, y1);
        let (ticks, xf, x_desc) = time_ticks(self.axis, x0, x1);
        let mut chart =
            chart_builder(&body, 48, ya).build_cartesian_2d(TimeCoord { inner: (x0..x1).into(), ticks }, y0..y1)?;
        let yf = tick_format(y0, y1, Y_LABELS);
        mesh!(chart, &*xf, &yf, x_desc, self.y_label).draw()?;

        // Windows cover whole days: from the start of the first to the end of the last.
        for w in &shown {
            let (a, b) = ((w.first - 0.5).max(x0), (w.last + 0.5).min(x1));
            let c = w.kind.color().mix(0.22);
            chart.draw_series([Rectangle::new([(a, y0), (b, y1)], c.filled())])?;
        }
        for (k, s) in self.bands.iter().enumerate() {
            let c = PALETTE[k % PALETTE.len()];
            for r in runs(days.len(), |i| valid(s, i)) {
                if r.len() == 1 {
                    let i = r.start;
                    let d = days[i];
                    chart.draw_series([
                        PathElement::new(vec![(d, s.p5[i]), (d, s.p95[i])], c.mix(0.4).stroke_width(3)),
                        PathElement::new(vec![(d, s.p25[i]), (d, s.p75[i])], c.mix(0.7).stroke_width(5)),
                    ])?;
                    chart.draw_series([Circle::new((d, s.p50[i]), 3, c.filled())])?;
                    continue;
                }
                let band = |lo: &[f64], hi: &[f64]| -> Vec<(f64, f64)> {
                    r.clone().map(|i| (days[i], lo[i])).chain(r.clone().rev().map(|i| (days[i], hi[i]))).collect()
                };
                chart.draw_series([Polygon::new(band(&s.p5, &s.p95), c.mix(0.16).filled())])?;
                chart.draw_series([Polygon::new(band(&s.p25, &s.p75), c.mix(0.32).filled())])?;
                chart.draw_series(LineSeries::new(r.clone().map(|i| (days[i], s.p50[i])), c.stroke_width(2)))?;
            }
        }
        Ok(())
    }
}
