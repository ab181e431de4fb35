//! Bar charts, single or grouped, with an optional reference line.

use super::*;

pub(super) struct Bars<'a> {
    pub(super) title: &'a str,
    pub(super) y_label: &'a str,
    pub(super) groups: &'a [BarGroup],
    pub(super) reference: Option<&'a (f64, String)>,
}

/// Gap between two groups of bars, in bar slots.
pub(super) const GROUP_GAP: f64 = 0.6;

/// A bar placed on the x axis: name, value, x position and group index.
type Placed<'a> = (&'a str, f64, f64, usize);

impl Bars<'_> {
    /// Every bar with its x position and group, groups set apart by a gap; and the x just past
    /// the last bar.
    fn place(&self) -> (Vec<Placed<'_>>, f64) {
        let mut placed: Vec<Placed> = Vec::new();
        let mut x = 0.0;
        for (g, group) in self.groups.iter().enumerate().filter(|(_, g)| !g.bars.is_empty()) {
            if !placed.is_empty() {
                x += GROUP_GAP;
            }
            for (name, v) in &group.bars {
                placed.push((name.as_str(), *v, x, g));
                x += 1.0;
            }
        }
        (placed, x)
    }
}

impl Chart for Bars<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let reference = self.reference.filter(|r| ok(r.0));
        let (placed, x) = self.place();
        let vr = finite_range(placed.iter().map(|b| b.1));
        let Some((vlo, vhi)) = vr else {
            let body = draw_header(root, &Header { title: self.title, subtitle: None, legend: vec![] })?;
            let note = if placed.is_empty() { "no bars given" } else { "no finite values" };
            return draw_no_data(&body, note);
        };
        let colour = |g: usize| PALETTE[g % PALETTE.len()];
        let mut legend: Vec<LegendItem> = self
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.label.is_empty() && !g.bars.is_empty())
            .map(|(i, g)| item(g.label.clone(), Swatch::Fill(colour(i).mix(0.9))))
            .collect();
        legend.extend(reference.map(|(_, label)| item(label.clone(), Swatch::Dashed(MARK))));
        let body = draw_header(root, &Header { title: self.title, subtitle: None, legend })?;

        // Bars grow from zero, so zero is always on the axis.
        let lo = vlo.min(0.0).min(reference.map_or(0.0, |r| r.0));
        let hi = vhi.max(0.0).max(reference.map_or(0.0, |r| r.0));
        let (p0, p1) = padded(lo, hi, 0.12);
        let (y0, y1) = (if lo >= 0.0 { 0.0 } else { p0 }, if hi <= 0.0 { 0.0 } else { p1 });
        let (y0, y1) = if y1 > y0 { (y0, y1) } else { (0.0, 1.0) };
        let x_end = x - 0.5;
        let ya = y_area_width(root, y0, y1);
        let mut chart = chart_builder(&body, 44, ya).build_cartesian_2d(-0.5..x_end, y0..y1)?;
        let none = |_: &f64| String::new();
        let yf = tick_format(y0, y1, Y_LABELS);
        mesh!(chart, &none, &yf, "", self.y_label).disable_x_mesh().x_labels(0).draw()?;

        let hw = 0.3;
        chart.draw_series(
            placed
                .iter()
                .filter(|b| ok(b.1))
                .map(|&(_, v, x, g)| Rectangle::new([(x - hw, 0.0), (x + hw, v)], colour(g).mix(0.9).filled())),
        )?;
        if y0 < 0.0 {
            chart.draw_series([PathElement::new(vec![(-0.5, 0.0), (x_end, 0.0)], MUTED.stroke_width(1))])?;
        }
        if let Some((ry, _)) = reference {
            chart.draw_series(DashedLineSeries::new([(-0.5, *ry), (x_end, *ry)], 8, 5, MARK.stroke_width(2)))?;
        }

        let area = chart.plotting_area();
        // Value labels shrink when bars are narrow.
        let slot = area.map_coordinate(&(1.0, y0)).0 - area.map_coordinate(&(0.0, y0)).0;
        let size = if slot >= 44 { 13 } else { 11 };
        for &(_, v, x, _) in &placed {
            let (text, at, vpos) = if ok(v) {
                let (px, py) = area.map_coordinate(&(x, v));
                if v >= 0.0 {
                    (value_label(v), (px, py - 4), VPos::Bottom)
                } else {
                    (value_label(v), (px, py + 4), VPos::Top)
                }
            } else {
                let (px, py) = area.map_coordinate(&(x, 0.0));
                ("n/a".to_string(), (px, py - 4), VPos::Bottom)
            };
            let style = text_style(size, &INK, HPos::Center, vpos);
            if text_width(root, &text, &style) <= slot + 6 {
                root.draw(&Text::new(text, at, style))?;
            }
        }
        let centers: Vec<i32> = placed.iter().map(|b| area.map_coordinate(&(b.2, y0)).0).collect();
        let top = area.map_coordinate(&(0.0, y0)).1 + 8;
        let names: Vec<&str> = placed.iter().map(|b| b.0).collect();
        draw_categories(root, &names, &centers, top, slot)?;
        Ok(())
    }
}
