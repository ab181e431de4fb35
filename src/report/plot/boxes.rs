//! Box plots: one box per variant (5–25–50–75–95 % and the mean).

use super::*;

/// Five-number-style summary used by a box: p5, p25, p50, p75, p95, mean, count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct BoxStats {
    pub(super) p5: f64,
    pub(super) p25: f64,
    pub(super) p50: f64,
    pub(super) p75: f64,
    pub(super) p95: f64,
    pub(super) mean: f64,
    pub(super) n: usize,
}

impl BoxStats {
    pub(super) fn of(values: &[f64]) -> Option<BoxStats> {
        let mut v: Vec<f64> = values.iter().copied().filter(|&x| ok(x)).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let q = |p| quantile_sorted(&v, p);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        Some(BoxStats { p5: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95), mean, n: v.len() })
    }
}

pub(super) struct Boxes<'a> {
    pub(super) title: &'a str,
    pub(super) y_label: &'a str,
    pub(super) boxes: Vec<(&'a str, Option<BoxStats>)>,
}

impl Chart for Boxes<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let yr = finite_range(self.boxes.iter().flat_map(|(_, b)| b.iter().flat_map(|b| [b.p5, b.p95, b.mean])));
        let Some((ylo, yhi)) = yr else {
            let body = draw_header(root, &Header { title: self.title, subtitle: None, legend: vec![] })?;
            let note = if self.boxes.is_empty() { "no variants given" } else { "no finite values in any variant" };
            return draw_no_data(&body, note);
        };
        let legend = vec![
            item("p25–p75", Swatch::Fill(MUTED.mix(0.35))),
            item("median", Swatch::Line(INK)),
            item("p5–p95", Swatch::Whisker(INK)),
            item("mean", Swatch::Marker(INK)),
        ];
        let ns: Vec<usize> = self.boxes.iter().filter_map(|(_, b)| b.map(|b| b.n)).collect();
        let subtitle = match (ns.iter().min(), ns.iter().max()) {
            (Some(a), Some(b)) if a == b => Some(format!("{a} replications per variant")),
            (Some(a), Some(b)) => Some(format!("{a}–{b} replications per variant")),
            _ => None,
        };
        let body = draw_header(root, &Header { title: self.title, subtitle, legend })?;

        let m = self.boxes.len();
        let (y0, y1) = padded(ylo, yhi, 0.08);
        let ya = y_area_width(root, y0, y1);
        let mut chart = chart_builder(&body, 44, ya).build_cartesian_2d(-0.5..m as f64 - 0.5, y0..y1)?;
        let none = |_: &f64| String::new();
        let yf = tick_format(y0, y1, Y_LABELS);
        mesh!(chart, &none, &yf, "", self.y_label).disable_x_mesh().x_labels(0).draw()?;

        let hw = 0.22;
        for (i, (_, b)) in self.boxes.iter().enumerate() {
            let Some(b) = b else { continue };
            let c = PALETTE[i % PALETTE.len()];
            let x = i as f64;
            let cap = hw * 0.5;
            chart.draw_series([
                PathElement::new(vec![(x, b.p5), (x, b.p25)], INK.stroke_width(1)),
                PathElement::new(vec![(x, b.p75), (x, b.p95)], INK.stroke_width(1)),
                PathElement::new(vec![(x - cap, b.p5), (x + cap, b.p5)], INK.stroke_width(1)),
                PathElement::new(vec![(x - cap, b.p95), (x + cap, b.p95)], INK.stroke_width(1)),
            ])?;
            chart.draw_series([
                Rectangle::new([(x - hw, b.p25), (x + hw, b.p75)], c.mix(0.45).filled()),
                Rectangle::new([(x - hw, b.p25), (x + hw, b.p75)], c.stroke_width(2)),
            ])?;
            chart.draw_series([PathElement::new(vec![(x - hw, b.p50), (x + hw, b.p50)], INK.stroke_width(3))])?;
            chart.draw_series([
                Circle::new((x, b.mean), 5, WHITE.filled()),
                Circle::new((x, b.mean), 5, INK.stroke_width(2)),
            ])?;
        }

        let area = chart.plotting_area();
        let centers: Vec<i32> = (0..m).map(|i| area.map_coordinate(&(i as f64, y0)).0).collect();
        let slot = area.map_coordinate(&(1.0, y0)).0 - area.map_coordinate(&(0.0, y0)).0;
        let top = area.map_coordinate(&(0.0, y0)).1 + 8;
        let names: Vec<&str> = self.boxes.iter().map(|(n, _)| *n).collect();
        draw_categories(root, &names, &centers, top, slot)?;
        for (i, (_, b)) in self.boxes.iter().enumerate() {
            if b.is_none() {
                let y = area.map_coordinate(&(0.0, (y0 + y1) / 2.0)).1;
                root.draw(&Text::new("no data", (centers[i], y), text_style(13, &MUTED, HPos::Center, VPos::Center)))?;
            }
        }
        Ok(())
    }
}
