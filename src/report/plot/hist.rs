//! Histogram of one KPI across replications, with the mean and the 90 % range.

use super::*;

pub(super) struct Histogram<'a> {
    pub(super) title: &'a str,
    pub(super) x_label: &'a str,
    /// Finite values, sorted.
    pub(super) v: Vec<f64>,
    pub(super) skipped: usize,
}

/// Bin edges: one bin per integer for small integer data, Freedman–Diaconis otherwise (Sturges
/// when the IQR is zero), clamped to 10..=40 bins.
pub(super) fn bin_edges(sorted: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    let (lo, hi) = (sorted[0], sorted[n - 1]);
    if hi - lo <= lo.abs().max(hi.abs()) * 1e-12 {
        let (a, b) = padded(lo, hi, 0.0);
        let half = (b - a) / 20.0;
        return vec![lo - half, lo + half];
    }
    if sorted.iter().all(|v| v.fract() == 0.0) && hi - lo <= 40.0 {
        return (0..=(hi - lo) as i64 + 1).map(|k| lo - 0.5 + k as f64).collect();
    }
    let iqr = quantile_sorted(sorted, 0.75) - quantile_sorted(sorted, 0.25);
    let fd = 2.0 * iqr / (n as f64).cbrt();
    let k = if fd > 0.0 { ((hi - lo) / fd).ceil() } else { (n as f64).log2().ceil() + 1.0 };
    let k = (k as usize).clamp(10, 40);
    (0..=k).map(|i| lo + (hi - lo) * i as f64 / k as f64).collect()
}

impl Chart for Histogram<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let v = &self.v;
        let skipped =
            if self.skipped > 0 { format!(" ({} undefined values skipped)", self.skipped) } else { String::new() };
        if v.is_empty() {
            let body = draw_header(root, &Header { title: self.title, subtitle: None, legend: vec![] })?;
            return draw_no_data(&body, &format!("no finite values of {}{skipped}", self.x_label));
        }
        let n = v.len();
        let (mean, sd) = crate::stats::mean_sd(v.iter().copied(), n);
        let (p5, p95) = (quantile_sorted(v, 0.05), quantile_sorted(v, 0.95));
        let edges = bin_edges(v);
        let k = edges.len() - 1;
        let mut counts = vec![0usize; k];
        let (e0, width) = (edges[0], edges[k] - edges[0]);
        for &x in v {
            let i = (((x - e0) / width) * k as f64).floor();
            counts[(i.max(0.0) as usize).min(k - 1)] += 1;
        }
        let spread = p95 > p5;
        let mut legend = vec![
            item("replications per bin", Swatch::Fill(PALETTE[0].mix(0.85))),
            item(format!("mean {}", value_label(mean)), Swatch::Line(MARK)),
        ];
        if spread {
            legend.push(item(format!("p5 {} · p95 {}", value_label(p5), value_label(p95)), Swatch::Dashed(INK)));
        }
        let reps = if n == 1 { "1 replication".to_string() } else { format!("{n} replications") };
        let subtitle = Some(format!("{reps} · sd {}{skipped}", value_label(sd)));
        let body = draw_header(root, &Header { title: self.title, subtitle, legend })?;

        // A single bar (all values equal) stands narrow in the middle of a padded axis.
        let (x0, x1) = if k == 1 { padded(v[0], v[0], 0.0) } else { padded(edges[0], edges[k], 0.03) };
        let cmax = *counts.iter().max().unwrap_or(&1) as f64;
        // Headroom above the tallest bar keeps the marker labels off the bars.
        let y1 = (cmax * 1.3).max(1.0);
        let ya = y_area_width(root, 0.0, y1);
        let mut chart = chart_builder(&body, 48, ya).build_cartesian_2d(x0..x1, 0.0..y1)?;
        let xf = tick_format(x0, x1, X_LABELS);
        let yf = |c: &f64| if c.fract() == 0.0 { format!("{c:.0}") } else { String::new() };
        mesh!(chart, &xf, &yf, self.x_label, "replications").disable_x_mesh().draw()?;

        let bar = PALETTE[0].mix(0.85).filled();
        chart.draw_series(
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, &c)| Rectangle::new([(edges[i], 0.0), (edges[i + 1], c as f64)], bar)),
        )?;
        // Thin white gaps between bars, so neighbouring bins stay distinguishable.
        chart.draw_series(
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, &c)| Rectangle::new([(edges[i], 0.0), (edges[i + 1], c as f64)], WHITE.stroke_width(1))),
        )?;

        let area = chart.plotting_area();
        let top = area.map_coordinate(&(x0, y1)).1;
        let bottom = area.map_coordinate(&(x0, 0.0)).1;
        if spread {
            for (q, name, hpos, dx) in [(p5, "p5", HPos::Right, -4), (p95, "p95", HPos::Left, 4)] {
                let x = area.map_coordinate(&(q, 0.0)).0;
                root.draw(&DashedPathElement::new(vec![(x, top + 26), (x, bottom)], 6, 4, INK.stroke_width(2)))?;
                root.draw(&Text::new(name, (x + dx, top + 28), text_style(13, &INK, hpos, VPos::Top)))?;
            }
        }
        let xm = area.map_coordinate(&(mean, 0.0)).0;
        root.draw(&PathElement::new(vec![(xm, top + 20), (xm, bottom)], MARK.stroke_width(2)))?;
        root.draw(&Text::new("mean", (xm, top + 4), text_style(13, &MARK, HPos::Center, VPos::Top)))?;
        Ok(())
    }
}
