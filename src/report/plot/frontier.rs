//! Trade-off frontiers (service against stock) and KPI curves (cost against a parameter), with
//! confidence bars, optional point labels and an optional marked point.

use super::*;

pub(super) struct Frontier<'a> {
    pub(super) title: &'a str,
    pub(super) x_label: &'a str,
    pub(super) y_label: &'a str,
    pub(super) series: &'a [FrontierSeries],
    pub(super) target: Option<&'a (f64, String)>,
    /// A point to ring and name in the legend (e.g. the lowest cost).
    pub(super) mark: Option<&'a ((f64, f64), String)>,
}

/// A point with its optional (low, high) interval and its label ("" if none).
pub(super) type PointCi<'a> = ((f64, f64), Option<(f64, f64)>, &'a str);

/// The finite points of a series in order of increasing x — a frontier's stock axis increases
/// along the line, whatever order the points were computed in (a negative safety stock scaled
/// up *lowers* the stock); a non-finite interval is dropped.
pub(super) fn frontier_points(s: &FrontierSeries) -> Vec<PointCi<'_>> {
    let mut pts: Vec<PointCi> = s
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| ok(p.0) && ok(p.1))
        .map(|(i, &p)| {
            let ci = s.ci.as_ref().map(|c| c[i]).filter(|c| ok(c.0) && ok(c.1));
            (p, ci, s.labels.get(i).map_or("", String::as_str))
        })
        .collect();
    // A stable sort keeps the given order among equal stocks.
    pts.sort_by(|a, b| a.0.0.total_cmp(&b.0.0));
    pts
}

impl Chart for Frontier<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let pts: Vec<_> = self.series.iter().map(frontier_points).collect();
        let xr = finite_range(pts.iter().flatten().map(|(p, ..)| p.0));
        let target = self.target.filter(|t| ok(t.0));
        let yr = finite_range(
            pts.iter()
                .flatten()
                .flat_map(|(p, ci, _)| [Some(p.1), ci.map(|c| c.0), ci.map(|c| c.1)])
                .flatten()
                .chain(target.map(|t| t.0)),
        );
        let (Some((xlo, xhi)), Some((ylo, yhi))) = (xr, yr) else {
            let body = draw_header(root, &Header { title: self.title, subtitle: None, legend: vec![] })?;
            let note = if self.series.is_empty() { "no series given" } else { "no finite points" };
            return draw_no_data(&body, note);
        };
        let mut legend: Vec<LegendItem> = if self.series.len() > 1 {
            self.series
                .iter()
                .enumerate()
                .map(|(k, s)| item(s.label.clone(), Swatch::LineMarker(PALETTE[k % PALETTE.len()])))
                .collect()
        } else {
            vec![]
        };
        // Line labels live in the legend, where they cannot cover data.
        if let Some((_, label)) = target {
            legend.push(item(label.clone(), Swatch::Dashed(MARK)));
        }
        let mark = self.mark.filter(|m| ok(m.0.0) && ok(m.0.1));
        if let Some((_, label)) = mark {
            legend.push(item(label.clone(), Swatch::Marker(MARK)));
        }
        let subtitle = match self.series {
            [one] if !one.label.is_empty() => Some(one.label.clone()),
            _ => None,
        };
        let body = draw_header(root, &Header { title: self.title, subtitle, legend })?;

        let (x0, x1) = padded(xlo, xhi, 0.06);
        let (y0, y1) = padded(ylo, yhi, 0.08);
        let ya = y_area_width(root, y0, y1);
        let mut chart = chart_builder(&body, 48, ya).build_cartesian_2d(x0..x1, y0..y1)?;
        let xf = tick_format(x0, x1, X_LABELS);
        let yf = tick_format(y0, y1, Y_LABELS);
        mesh!(chart, &xf, &yf, self.x_label, self.y_label).draw()?;

        if let Some((ty, _)) = target {
            chart.draw_series(DashedLineSeries::new([(x0, *ty), (x1, *ty)], 8, 5, MARK.stroke_width(2)))?;
        }
        // Error-bar caps are a fixed number of pixels wide, whatever the x scale.
        let (px0, px1) = {
            let a = chart.plotting_area();
            (a.map_coordinate(&(x0, y0)).0, a.map_coordinate(&(x1, y0)).0)
        };
        let cap = 5.0 * (x1 - x0) / (px1 - px0).max(1) as f64;
        for (k, p) in pts.iter().enumerate() {
            let c = PALETTE[k % PALETTE.len()];
            chart.draw_series(p.iter().filter_map(|(pt, ci, _)| ci.map(|(lo, hi)| (pt.0, lo, hi))).flat_map(
                |(x, lo, hi)| {
                    [
                        PathElement::new(vec![(x, lo), (x, hi)], c.mix(0.8).stroke_width(2)),
                        PathElement::new(vec![(x - cap, lo), (x + cap, lo)], c.mix(0.8).stroke_width(2)),
                        PathElement::new(vec![(x - cap, hi), (x + cap, hi)], c.mix(0.8).stroke_width(2)),
                    ]
                },
            ))?;
            chart.draw_series(LineSeries::new(p.iter().map(|(pt, ..)| *pt), c.stroke_width(2)))?;
            chart.draw_series(p.iter().map(|(pt, ..)| Circle::new(*pt, 6, WHITE.filled())))?;
            chart.draw_series(p.iter().map(|(pt, ..)| Circle::new(*pt, 4, c.filled())))?;
            // Labels up-left of their points (the curves rise to the right, so that space is
            // usually empty); every other series down-right, so labels of a shared point do not
            // overlap.
            let (style, off) = if k % 2 == 0 {
                (text_style(13, &INK, HPos::Right, VPos::Bottom), (-7, -7))
            } else {
                (text_style(13, &INK, HPos::Left, VPos::Top), (7, 7))
            };
            chart.draw_series(
                p.iter()
                    .filter(|(.., l)| !l.is_empty())
                    .map(|(pt, _, l)| EmptyElement::at(*pt) + Text::new(l.to_string(), off, style.clone())),
            )?;
        }
        if let Some((pt, _)) = mark {
            chart.draw_series([Circle::new(*pt, 11, MARK.stroke_width(3))])?;
        }
        Ok(())
    }
}
