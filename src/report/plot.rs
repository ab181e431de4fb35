//! Charts for reports — KPI histograms, fan charts over time, box plots per variant, trade-off
//! frontiers and bar charts — drawn from plain numbers into SVG or PNG bytes.
//!
//! Every function takes data, never engine state, and returns the encoded file, so a report
//! decides where the bytes go (usually [`super::Staged`]). Text is set in DejaVu Sans, embedded
//! in the binary and registered once, so drawing needs no system fonts or libraries.
//!
//! Degenerate input never panics: NaN, infinite and absurd (beyond ±1e150) values are skipped, equal values get a padded
//! range, and a chart with nothing to show says "no data". Inconsistent input (series whose
//! lengths disagree) is a [`PlotError::Input`] that names the offending series.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, RGBAColor, register_font};

use super::format::fmt_num;
use crate::stats::quantile_sorted;

/// Width of every chart in pixels.
pub const WIDTH: u32 = 900;
/// Height of every chart in pixels.
pub const HEIGHT: u32 = 540;

/// Most tick labels on the x and y axes (plotters picks round values up to these counts).
const X_LABELS: usize = 10;
const Y_LABELS: usize = 8;

/// The family name the embedded font is registered under; every text style uses it.
const FONT: &str = "sans-serif";

// A muted, colour-blind-friendly palette (Tableau 10 order), then ink and greys.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xED, 0xC9, 0x48),
];
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const MARK: RGBColor = RGBColor(0xC0, 0x39, 0x2B);

/// Output file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics (text stays text).
    Svg,
    /// Portable network graphics, [`WIDTH`] × [`HEIGHT`] pixels.
    Png,
}

impl Format {
    /// The usual file-name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The data handed in is inconsistent (e.g. a series shorter than its x values).
    #[error("{0}")]
    Input(String),
    /// The embedded font could not be loaded (a broken build, not bad input).
    #[error("cannot load the embedded font {0}")]
    Font(String),
    /// The drawing backend failed.
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    /// The PNG could not be encoded.
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(e.to_string())
    }
}

/// Percentile bands of one quantity over time, one value per day in each vector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FanSeries {
    /// Legend label, e.g. "on-hand".
    pub label: String,
    /// 5th percentile across replications, per day.
    pub p5: Vec<f64>,
    /// 25th percentile, per day.
    pub p25: Vec<f64>,
    /// Median, per day.
    pub p50: Vec<f64>,
    /// 75th percentile, per day.
    pub p75: Vec<f64>,
    /// 95th percentile, per day.
    pub p95: Vec<f64>,
}

/// One curve of a trade-off frontier, e.g. average inventory against fill rate over a sweep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrontierSeries {
    /// Legend label, e.g. the policy name.
    pub label: String,
    /// (x, y) points, joined in the order given.
    pub points: Vec<(f64, f64)>,
    /// Optional (low, high) interval of y for each point, drawn as a vertical error bar.
    pub ci: Option<Vec<(f64, f64)>>,
}

/// Distribution of one KPI across replications: bars of counts, the mean as a solid line and
/// p5 / p95 as dashed lines. NaN and infinite values are ignored.
pub fn histogram(title: &str, x_label: &str, values: &[f64], fmt: Format) -> Result<Vec<u8>, PlotError> {
    let mut v: Vec<f64> = values.iter().copied().filter(|&x| ok(x)).collect();
    v.sort_by(f64::total_cmp);
    render(&Histogram { title, x_label, v, skipped: values.iter().filter(|&&x| !ok(x)).count() }, fmt)
}

/// Percentiles of one or more quantities over the days of the horizon: a median line with a
/// p25–p75 band and a lighter p5–p95 band per series. Every vector must have one value per day.
pub fn fan_chart(
    title: &str,
    y_label: &str,
    days: &[f64],
    bands: &[FanSeries],
    fmt: Format,
) -> Result<Vec<u8>, PlotError> {
    fan_chart_over(title, y_label, days, TimeAxis::Days, bands, fmt)
}

/// How the time axis of a fan chart is labelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeAxis {
    /// Day numbers as given.
    #[default]
    Days,
    /// Calendar dates: day 0 is this date `(year, month 1–12, day 1–31)`; ticks fall on the
    /// first of a month (or on weekly steps for short horizons).
    Dates((i32, u32, u32)),
}

/// [`fan_chart`] with a choice of time axis (day numbers or calendar dates).
pub fn fan_chart_over(
    title: &str,
    y_label: &str,
    days: &[f64],
    axis: TimeAxis,
    bands: &[FanSeries],
    fmt: Format,
) -> Result<Vec<u8>, PlotError> {
    for s in bands {
        for (name, q) in [("p5", &s.p5), ("p25", &s.p25), ("p50", &s.p50), ("p75", &s.p75), ("p95", &s.p95)] {
            if q.len() != days.len() {
                return Err(PlotError::Input(format!(
                    "fan chart '{title}', series '{}': {name} has {} values for {} days; give one value per day",
                    s.label,
                    q.len(),
                    days.len()
                )));
            }
        }
    }
    render(&Fan { title, y_label, days, axis, bands }, fmt)
}

/// One box per variant: the box spans p25–p75, a line marks the median, whiskers reach p5 and
/// p95 and a dot marks the mean. Each group is (variant name, values across replications).
pub fn box_plots(title: &str, y_label: &str, groups: &[(String, Vec<f64>)], fmt: Format) -> Result<Vec<u8>, PlotError> {
    let boxes = groups.iter().map(|(name, values)| (name.as_str(), BoxStats::of(values))).collect();
    render(&Boxes { title, y_label, boxes }, fmt)
}

/// Trade-off curves with markers (e.g. average inventory against fill rate for a sweep), optional
/// vertical error bars per point and an optional horizontal target line `(y, label)`.
pub fn frontier(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[FrontierSeries],
    target: Option<(f64, String)>,
    fmt: Format,
) -> Result<Vec<u8>, PlotError> {
    for s in series {
        if let Some(ci) = &s.ci
            && ci.len() != s.points.len()
        {
            return Err(PlotError::Input(format!(
                "frontier '{title}', series '{}': {} intervals for {} points; give one (low, high) per point",
                s.label,
                ci.len(),
                s.points.len()
            )));
        }
    }
    render(&Frontier { title, x_label, y_label, series, target: target.as_ref() }, fmt)
}

/// One bar per category (e.g. bullwhip ratio per echelon) with its value written above it, and an
/// optional horizontal reference line `(y, label)`.
pub fn bars(
    title: &str,
    y_label: &str,
    bars: &[(String, f64)],
    reference: Option<(f64, String)>,
    fmt: Format,
) -> Result<Vec<u8>, PlotError> {
    let one = [BarGroup { label: String::new(), bars: bars.to_vec() }];
    render(&Bars { title, y_label, groups: &one, reference: reference.as_ref() }, fmt)
}

/// A group of bars drawn in one colour and named in the legend (e.g. the stores of an echelon).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarGroup {
    /// Legend label of the group (an empty label gets no legend entry).
    pub label: String,
    /// (category, value) of each bar, left to right.
    pub bars: Vec<(String, f64)>,
}

/// Bars in coloured groups, left to right with a gap between groups, each with its value written
/// above it, and an optional horizontal reference line `(y, label)`.
pub fn grouped_bars(
    title: &str,
    y_label: &str,
    groups: &[BarGroup],
    reference: Option<(f64, String)>,
    fmt: Format,
) -> Result<Vec<u8>, PlotError> {
    render(&Bars { title, y_label, groups, reference: reference.as_ref() }, fmt)
}

// ---------------------------------------------------------------------------------------------
// Rendering: one drawing routine per chart, generic over the backend.

/// A chart that can draw itself on any plotters backend.
trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

fn render(chart: &impl Chart, fmt: Format) -> Result<Vec<u8>, PlotError> {
    match fmt {
        Format::Svg => {
            ensure_font()?;
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
                chart.draw(&root)?;
                root.present()?;
            }
            Ok(svg.into_bytes())
        }
        Format::Png => encode_png(&render_rgb(chart)?, WIDTH, HEIGHT),
    }
}

/// Draws into an in-memory RGB buffer.
fn render_rgb(chart: &impl Chart) -> Result<Vec<u8>, PlotError> {
    ensure_font()?;
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        chart.draw(&root)?;
        root.present()?;
    }
    Ok(rgb)
}

/// Registers DejaVu Sans (regular and bold) under [`FONT`], once per process.
fn ensure_font() -> Result<(), PlotError> {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    READY
        .get_or_init(|| {
            register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "DejaVu Sans (regular)".to_string())?;
            register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).map_err(|_| "DejaVu Sans (bold)".to_string())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Encodes an RGB buffer as PNG.
///
/// The `image` crate that does the encoding is reachable only through plotters, whose bitmap
/// backend writes to a path; so the picture goes through a private temporary file that is
/// removed again. With `image` as a direct dependency this becomes an in-memory encode.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, PlotError> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| PlotError::Encode(e.to_string()))?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Shared layout: title, subtitle and legend strip above the plot, then the chart body.

fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

fn text_style(size: u32, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(color).pos(Pos::new(h, v))
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    Fill(RGBAColor),
    Band(RGBColor),
    Whisker(RGBColor),
    Marker(RGBColor),
    LineMarker(RGBColor),
}

struct LegendItem {
    label: String,
    swatch: Swatch,
}

fn item(label: impl Into<String>, swatch: Swatch) -> LegendItem {
    LegendItem { label: label.into(), swatch }
}

struct Header<'a> {
    title: &'a str,
    subtitle: Option<String>,
    legend: Vec<LegendItem>,
}

/// Text width in pixels as the backend will draw it.
fn text_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle) -> i32 {
    root.estimate_text_size(text, style).map(|(w, _)| w as i32).unwrap_or(text.chars().count() as i32 * 8)
}

/// Shortens `text` with an ellipsis until it fits `max_w` pixels.
fn ellipsize<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle, max_w: i32) -> String {
    if text_width(root, text, style) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (0..chars.len()).rev() {
        let s: String = chars[..keep].iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(root, &s, style) <= max_w {
            return s;
        }
    }
    String::new()
}

/// Draws the title block and returns the area left for the chart.
fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    h: &Header,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    root.fill(&WHITE)?;
    let w = WIDTH as i32;
    let mut y = 12;
    // Long titles shrink before they are cut.
    let mut size = 22;
    let bold = |s: u32| TextStyle::from((FONT, s, FontStyle::Bold).into_font()).color(&INK);
    while size > 15 && text_width(root, h.title, &bold(size)) > w - 40 {
        size -= 1;
    }
    let title = ellipsize(root, h.title, &bold(size), w - 40);
    root.draw(&Text::new(title, (w / 2, y), bold(size).pos(Pos::new(HPos::Center, VPos::Top))))?;
    y += size as i32 + 10;

    if let Some(sub) = &h.subtitle {
        let style = text_style(14, &MUTED, HPos::Center, VPos::Top);
        root.draw(&Text::new(ellipsize(root, sub, &style, w - 40), (w / 2, y), style))?;
        y += 22;
    }

    if !h.legend.is_empty() {
        let style = font(14);
        const SW: i32 = 28;
        const GAP: i32 = 22;
        let widths: Vec<i32> = h.legend.iter().map(|it| SW + 6 + text_width(root, &it.label, &style)).collect();
        // Wrap legend entries into centred rows.
        let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
        let mut row_w = 0;
        for (i, &iw) in widths.iter().enumerate() {
            let last = rows.last_mut().expect("one row");
            if !last.is_empty() && row_w + GAP + iw > w - 60 {
                rows.push(vec![i]);
                row_w = iw;
            } else {
                row_w += if last.is_empty() { iw } else { GAP + iw };
                last.push(i);
            }
        }
        for row in &rows {
            let total: i32 = row.iter().map(|&i| widths[i]).sum::<i32>() + GAP * (row.len() as i32 - 1);
            let mut x = (w - total) / 2;
            let yc = y + 9;
            for &i in row {
                draw_swatch(root, h.legend[i].swatch, x, yc)?;
                let ts = text_style(14, &INK, HPos::Left, VPos::Center);
                root.draw(&Text::new(h.legend[i].label.clone(), (x + SW + 6, yc), ts))?;
                x += widths[i] + GAP;
            }
            y += 22;
        }
    }
    Ok(root.split_vertically(y + 2).1)
}

fn draw_swatch<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: Swatch, x: i32, yc: i32) -> Result<(), PlotError> {
    match s {
        Swatch::Line(c) => root.draw(&PathElement::new(vec![(x, yc), (x + 28, yc)], c.stroke_width(3)))?,
        Swatch::Dashed(c) => {
            root.draw(&DashedPathElement::new(vec![(x, yc), (x + 28, yc)], 5, 3, c.stroke_width(2)))?
        }
        Swatch::Fill(c) => root.draw(&Rectangle::new([(x + 2, yc - 7), (x + 26, yc + 7)], c.filled()))?,
        Swatch::Band(c) => {
            root.draw(&Rectangle::new([(x, yc - 8), (x + 28, yc + 8)], c.mix(0.18).filled()))?;
            root.draw(&Rectangle::new([(x, yc - 4), (x + 28, yc + 4)], c.mix(0.38).filled()))?;
            root.draw(&PathElement::new(vec![(x, yc), (x + 28, yc)], c.stroke_width(2)))?;
        }
        Swatch::Whisker(c) => {
            root.draw(&PathElement::new(vec![(x + 3, yc), (x + 25, yc)], c.stroke_width(1)))?;
            root.draw(&PathElement::new(vec![(x + 3, yc - 5), (x + 3, yc + 5)], c.stroke_width(1)))?;
            root.draw(&PathElement::new(vec![(x + 25, yc - 5), (x + 25, yc + 5)], c.stroke_width(1)))?;
        }
        Swatch::Marker(c) => {
            root.draw(&Circle::new((x + 14, yc), 5, WHITE.filled()))?;
            root.draw(&Circle::new((x + 14, yc), 5, c.stroke_width(2)))?;
        }
        Swatch::LineMarker(c) => {
            root.draw(&PathElement::new(vec![(x, yc), (x + 28, yc)], c.stroke_width(2)))?;
            root.draw(&Circle::new((x + 14, yc), 5, WHITE.filled()))?;
            root.draw(&Circle::new((x + 14, yc), 4, c.filled()))?;
        }
    }
    Ok(())
}

/// A framed body with a centred note, for charts with nothing to show.
fn draw_no_data<DB: DrawingBackend>(body: &DrawingArea<DB, Shift>, note: &str) -> Result<(), PlotError> {
    let (w, h) = body.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    body.draw(&Rectangle::new([(40, 10), (w - 40, h - 30)], GRID.stroke_width(1)))?;
    body.draw(&Text::new(
        "no data".to_string(),
        (w / 2, h / 2 - 14),
        text_style(20, &MUTED, HPos::Center, VPos::Center),
    ))?;
    body.draw(&Text::new(note.to_string(), (w / 2, h / 2 + 14), text_style(14, &MUTED, HPos::Center, VPos::Center)))?;
    Ok(())
}

/// `(lo, hi)` widened by `frac` of the span on each side; an empty span is widened to something
/// visible around the value.
fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let scale = lo.abs().max(hi.abs());
    if span <= scale * 1e-9 {
        let d = if scale == 0.0 { 1.0 } else { scale * 0.1 };
        return (lo - d, hi + d);
    }
    let (a, b) = (lo - span * frac, hi + span * frac);
    if a.is_finite() && b.is_finite() { (a, b) } else { (lo, hi) }
}

/// Whether a value can be drawn: finite and not absurdly large (axis spans must stay finite).
fn ok(v: f64) -> bool {
    v.is_finite() && v.abs() <= 1e150
}

/// Smallest and largest drawable value.
fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|&v| ok(v)).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((a, b)) => Some((a.min(v), b.max(v))),
    })
}

/// Tick labels on an axis from `lo` to `hi` with `n` labels: as many decimals as the ticks
/// plotters will choose need, the same for every tick; millions get an "M" suffix.
fn tick_format(lo: f64, hi: f64, n: usize) -> impl Fn(&f64) -> String {
    let big = lo.abs().max(hi.abs()) >= 1e6;
    let div = if big { 1e6 } else { 1.0 };
    let ticks = RangedCoordf64::from(lo..hi).key_points(n);
    let tol = (hi - lo).abs() / div * 1e-6;
    let needed = |v: f64| (0..=6).find(|&d| (format!("{:.*}", d, v).parse::<f64>().unwrap_or(v) - v).abs() <= tol);
    let decimals = ticks.iter().filter_map(|t| needed(t / div)).max().unwrap_or(0);
    move |v: &f64| {
        let s = format!("{:.*}", decimals, v / div);
        // "-0.00" reads as a sign error; show zero as zero.
        let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') { s[1..].to_string() } else { s };
        if big { format!("{s}M") } else { s }
    }
}

/// A value written on a chart: four significant digits as in tables, without trailing zeros.
fn value_label(v: f64) -> String {
    let s = fmt_num(v);
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Width of the y label area so that tick labels and the rotated axis title fit.
fn y_area_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lo: f64, hi: f64) -> i32 {
    let f = tick_format(lo, hi, Y_LABELS);
    let style = font(13);
    let w = [lo, hi, (lo + hi) / 2.0].iter().map(|v| text_width(root, &f(v), &style)).max().unwrap_or(30);
    (w + 42).max(64)
}

/// The chart area of every chart: the same margins, with label areas of the given sizes (px).
fn chart_builder<'a, 'b, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    x_label_area: i32,
    y_label_area: i32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(body);
    b.margin_left(8)
        .margin_right(28)
        .margin_top(6)
        .margin_bottom(6)
        .x_label_area_size(x_label_area)
        .y_label_area_size(y_label_area);
    b
}

/// Standard mesh: light grid, readable tick labels, axis titles.
macro_rules! mesh {
    ($chart:expr, $xfmt:expr, $yfmt:expr, $xdesc:expr, $ydesc:expr) => {
        $chart
            .configure_mesh()
            .bold_line_style(GRID.stroke_width(1))
            .max_light_lines(0)
            .axis_style(MUTED.stroke_width(1))
            .label_style(font(13))
            .axis_desc_style(font(15))
            .x_label_formatter($xfmt)
            .y_label_formatter($yfmt)
            .x_labels(X_LABELS)
            .y_labels(Y_LABELS)
            .x_desc($xdesc)
            .y_desc($ydesc)
    };
}

/// Category names centred under the given pixel columns, in one size for all: the largest of
/// 14, 12, 11 or 10 px at which every name fits its slot on one line or split onto two; names
/// that fit on one line stay on one, the rest are split (and cut only if even that fails), so
/// neighbours never overlap.
fn draw_categories<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    names: &[&str],
    centers: &[i32],
    top: i32,
    slot: i32,
) -> Result<(), PlotError> {
    let max_w = (slot - 8).max(10);
    let fits = |line: &str, size: u32| text_width(root, line, &font(size)) <= max_w;
    let layout = |name: &str, size: u32| -> Option<Vec<String>> {
        if fits(name, size) {
            return Some(vec![name.to_string()]);
        }
        let two = two_lines(name);
        (two.len() == 2 && two.iter().all(|l| fits(l, size))).then_some(two)
    };
    let size = [14, 12, 11, 10].into_iter().find(|&s| names.iter().all(|n| layout(n, s).is_some())).unwrap_or(10);
    for (name, &x) in names.iter().zip(centers) {
        let lines = layout(name, size).unwrap_or_else(|| two_lines(name));
        for (k, line) in lines.iter().enumerate() {
            let style = text_style(size, &INK, HPos::Center, VPos::Top);
            let s = ellipsize(root, line, &style, max_w);
            root.draw(&Text::new(s, (x, top + k as i32 * (size as i32 + 3)), style))?;
        }
    }
    Ok(())
}

/// [`split_two_lines`], or a single word hyphenated in the middle.
fn two_lines(s: &str) -> Vec<String> {
    let v = split_two_lines(s);
    let chars: Vec<char> = s.chars().collect();
    if v.len() == 2 || chars.len() < 6 {
        return v;
    }
    let mid = chars.len().div_ceil(2);
    vec![chars[..mid].iter().collect::<String>() + "-", chars[mid..].iter().collect()]
}

/// Splits at the space nearest the middle (else at '-', '_' or '/'); a single line if there is none.
fn split_two_lines(s: &str) -> Vec<String> {
    let mid = s.chars().count() as i64 / 2;
    let nearest = |breaks: &[char]| {
        s.char_indices()
            .filter(|(_, c)| breaks.contains(c))
            .min_by_key(|(i, _)| (s[..*i].chars().count() as i64 - mid).abs())
    };
    let best = nearest(&[' ']).or_else(|| nearest(&['-', '_', '/']));
    match best {
        Some((i, ' ')) => vec![s[..i].to_string(), s[i + 1..].to_string()],
        Some((i, c)) => vec![s[..i + c.len_utf8()].to_string(), s[i + c.len_utf8()..].to_string()],
        None => vec![s.to_string()],
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Histogram

struct Histogram<'a> {
    title: &'a str,
    x_label: &'a str,
    /// Finite values, sorted.
    v: Vec<f64>,
    skipped: usize,
}

/// Bin edges: one bin per integer for small integer data, Freedman–Diaconis otherwise (Sturges
/// when the IQR is zero), clamped to 10..=40 bins.
fn bin_edges(sorted: &[f64]) -> Vec<f64> {
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
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 { (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
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

// ---------------------------------------------------------------------------------------------
// 2. Fan chart

struct Fan<'a> {
    title: &'a str,
    y_label: &'a str,
    days: &'a [f64],
    axis: TimeAxis,
    bands: &'a [FanSeries],
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A day axis with the given ticks (plotters' own key-point binding loses the label formatter).
struct TimeCoord {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
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
type TickLabel = Box<dyn Fn(&f64) -> String>;

/// Ticks, their labels and the axis title of a time axis over days `x0..=x1`. Day numbers get
/// round values as on any axis; dates get the first of every month (every 2nd, 3rd, 6th or 12th
/// month on long horizons, weekly steps on short ones), with the year on the first tick and on
/// every January.
fn time_ticks(axis: TimeAxis, x0: f64, x1: f64) -> (Vec<f64>, TickLabel, &'static str) {
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
fn runs(n: usize, keep: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
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
        let legend = self
            .bands
            .iter()
            .enumerate()
            .filter(|(_, s)| (0..days.len()).any(|i| valid(s, i)))
            .map(|(k, s)| item(s.label.clone(), Swatch::Band(PALETTE[k % PALETTE.len()])))
            .collect();
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

// ---------------------------------------------------------------------------------------------
// 3. Box plots

/// Five-number-style summary used by a box: p5, p25, p50, p75, p95, mean, count.
#[derive(Clone, Copy, Debug, PartialEq)]
struct BoxStats {
    p5: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
    mean: f64,
    n: usize,
}

impl BoxStats {
    fn of(values: &[f64]) -> Option<BoxStats> {
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

struct Boxes<'a> {
    title: &'a str,
    y_label: &'a str,
    boxes: Vec<(&'a str, Option<BoxStats>)>,
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

// ---------------------------------------------------------------------------------------------
// 4. Frontier

struct Frontier<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    series: &'a [FrontierSeries],
    target: Option<&'a (f64, String)>,
}

/// A point with its optional (low, high) interval.
type PointCi = ((f64, f64), Option<(f64, f64)>);

/// The finite points of a series; a non-finite interval is dropped.
fn frontier_points(s: &FrontierSeries) -> Vec<PointCi> {
    s.points
        .iter()
        .enumerate()
        .filter(|(_, p)| ok(p.0) && ok(p.1))
        .map(|(i, &p)| {
            let ci = s.ci.as_ref().map(|c| c[i]).filter(|c| ok(c.0) && ok(c.1));
            (p, ci)
        })
        .collect()
}

impl Chart for Frontier<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let pts: Vec<_> = self.series.iter().map(frontier_points).collect();
        let xr = finite_range(pts.iter().flatten().map(|(p, _)| p.0));
        let target = self.target.filter(|t| ok(t.0));
        let yr = finite_range(
            pts.iter()
                .flatten()
                .flat_map(|(p, ci)| [Some(p.1), ci.map(|c| c.0), ci.map(|c| c.1)])
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
            chart.draw_series(p.iter().filter_map(|(pt, ci)| ci.map(|(lo, hi)| (pt.0, lo, hi))).flat_map(
                |(x, lo, hi)| {
                    [
                        PathElement::new(vec![(x, lo), (x, hi)], c.mix(0.8).stroke_width(2)),
                        PathElement::new(vec![(x - cap, lo), (x + cap, lo)], c.mix(0.8).stroke_width(2)),
                        PathElement::new(vec![(x - cap, hi), (x + cap, hi)], c.mix(0.8).stroke_width(2)),
                    ]
                },
            ))?;
            chart.draw_series(LineSeries::new(p.iter().map(|(pt, _)| *pt), c.stroke_width(2)))?;
            chart.draw_series(p.iter().map(|(pt, _)| Circle::new(*pt, 6, WHITE.filled())))?;
            chart.draw_series(p.iter().map(|(pt, _)| Circle::new(*pt, 4, c.filled())))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Bars

struct Bars<'a> {
    title: &'a str,
    y_label: &'a str,
    groups: &'a [BarGroup],
    reference: Option<&'a (f64, String)>,
}

/// Gap between two groups of bars, in bar slots.
const GROUP_GAP: f64 = 0.6;

impl Chart for Bars<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let reference = self.reference.filter(|r| ok(r.0));
        // Every bar with its x position and group; groups are set apart by a gap.
        let mut placed: Vec<(&str, f64, f64, usize)> = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

    /// Deterministic pseudo-normal values (sum of uniforms from an xorshift), for test data.
    fn sample(n: usize, mean: f64, sd: f64, seed: u64) -> Vec<f64> {
        let mut s = seed.max(1);
        let mut u = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n).map(|_| mean + sd * ((0..12).map(|_| u()).sum::<f64>() - 6.0)).collect()
    }

    fn check_svg(bytes: &[u8], title: &str) {
        let s = std::str::from_utf8(bytes).expect("SVG is UTF-8");
        assert!(s.contains("<svg"), "no <svg> element");
        assert!(s.contains(title), "title '{title}' missing from the SVG");
        assert!(s.contains("<rect") || s.contains("<path") || s.contains("<polyline"), "nothing drawn");
    }

    fn check_png(bytes: &[u8]) {
        assert!(bytes.len() > 1000, "PNG of {} bytes is too small", bytes.len());
        assert_eq!(bytes[..8], PNG_SIGNATURE);
        assert_eq!(&bytes[12..16], b"IHDR");
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((w, h), (WIDTH, HEIGHT));
        assert_eq!(bytes[24], 8, "bit depth");
        assert_eq!(bytes[25], 2, "colour type RGB");
        assert_eq!(&bytes[bytes.len() - 8..bytes.len() - 4], b"IEND");
    }

    /// Renders a chart both ways and checks each file.
    fn both(title: &str, f: impl Fn(Format) -> Result<Vec<u8>, PlotError>) {
        check_svg(&f(Format::Svg).expect("SVG renders"), title);
        check_png(&f(Format::Png).expect("PNG renders"));
    }

    fn fan_series(label: &str, days: usize, level: f64) -> FanSeries {
        let f = |q: f64| (0..days).map(|d| level * (1.0 + 0.3 * (d as f64 / 9.0).sin()) + q * level * 0.1).collect();
        FanSeries { label: label.into(), p5: f(-2.0), p25: f(-0.7), p50: f(0.0), p75: f(0.7), p95: f(2.0) }
    }

    #[test]
    fn histogram_normal_and_degenerate() {
        both("Fill rate", |f| histogram("Fill rate", "fill rate", &sample(300, 0.95, 0.01, 1), f));
        both("Empty", |f| histogram("Empty", "x", &[], f));
        both("All NaN", |f| histogram("All NaN", "x", &[f64::NAN, f64::INFINITY], f));
        both("Equal", |f| histogram("Equal", "x", &[3.0; 50], f));
        both("Zeros", |f| histogram("Zeros", "x", &[0.0; 5], f));
        both("One", |f| histogram("One", "x", &[42.0], f));
        both("Integers", |f| histogram("Integers", "days", &[0.0, 1.0, 1.0, 2.0, 5.0, f64::NAN], f));
        both("Huge", |f| histogram("Huge", "x", &[-1e150, 1e150, 0.0], f));
        both("Absurd", |f| histogram("Absurd", "x", &[-f64::MAX, f64::MAX, 1e300, 1.0, 2.0], f));
        both("Near-equal", |f| histogram("Near-equal", "x", &[1e9, 1e9 + 1e-3, 1e9 + 2e-3, 1e9 + 0.5], f));
    }

    #[test]
    fn fan_chart_normal_and_degenerate() {
        let days: Vec<f64> = (0..120).map(f64::from).collect();
        let two = [fan_series("on-hand", 120, 50.0), fan_series("backorders", 120, 10.0)];
        both("Stock", |f| fan_chart("Stock", "units", &days, &two, f));
        both("None", |f| fan_chart("None", "units", &days, &[], f));
        both("No days", |f| fan_chart("No days", "units", &[], &[fan_series("x", 0, 1.0)], f));
        both("One day", |f| fan_chart("One day", "units", &[3.0], &[fan_series("x", 1, 1.0)], f));
        let mut gaps = fan_series("gappy", 120, 5.0);
        gaps.p50[10] = f64::NAN;
        gaps.p95[11] = f64::INFINITY;
        gaps.p5[60] = f64::NAN;
        both("Gaps", |f| fan_chart("Gaps", "units", &days, std::slice::from_ref(&gaps), f));
        let flat = FanSeries { label: "flat".into(), p5: vec![0.0; 3], ..fan_series("flat", 3, 0.0) };
        both("Flat", |f| fan_chart("Flat", "units", &[0.0, 1.0, 2.0], std::slice::from_ref(&flat), f));
    }

    #[test]
    fn fan_chart_rejects_short_series_naming_it() {
        let mut s = fan_series("on-hand", 10, 1.0);
        s.p25.pop();
        let days: Vec<f64> = (0..10).map(f64::from).collect();
        let e = fan_chart("t", "u", &days, &[s], Format::Svg).unwrap_err().to_string();
        assert!(e.contains("'on-hand'") && e.contains("p25 has 9 values for 10 days"), "{e}");
    }

    #[test]
    fn box_plots_normal_and_degenerate() {
        let groups: Vec<(String, Vec<f64>)> = ["base-stock", "(s, S) reorder point", "min–max"]
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), sample(200, 100.0 + 10.0 * i as f64, 5.0, i as u64 + 3)))
            .collect();
        both("Cost", |f| box_plots("Cost", "cost per day", &groups, f));
        both("Nothing", |f| box_plots("Nothing", "y", &[], f));
        let odd = vec![
            ("empty".to_string(), vec![]),
            ("one".to_string(), vec![1.0]),
            ("nan".to_string(), vec![f64::NAN]),
            ("a very long variant name that cannot possibly fit".to_string(), vec![1.0, 2.0]),
        ];
        both("Odd", |f| box_plots("Odd", "y", &odd, f));
        let all_empty = vec![("a".to_string(), vec![]), ("b".to_string(), vec![f64::NAN])];
        both("All empty", |f| box_plots("All empty", "y", &all_empty, f));
    }

    #[test]
    fn frontier_normal_and_degenerate() {
        let curve = |label: &str, k: f64| FrontierSeries {
            label: label.into(),
            points: (0..8).map(|i| (20.0 + 10.0 * i as f64, 1.0 - k * (-0.4 * i as f64).exp())).collect(),
            ci: Some((0..8).map(|i| (0.99 - k * (-0.4 * i as f64).exp(), 1.0 - k * (-0.4 * i as f64).exp())).collect()),
        };
        let two = [curve("base-stock", 0.3), curve("(s, S)", 0.4)];
        let target = Some((0.95, "target 95 %".to_string()));
        both("Frontier", |f| frontier("Frontier", "avg inventory", "fill rate", &two, target.clone(), f));
        both("Empty", |f| frontier("Empty", "x", "y", &[], None, f));
        both("Target only", |f| frontier("Target only", "x", "y", &[], Some((1.0, "t".into())), f));
        let one = FrontierSeries { label: "p".into(), points: vec![(1.0, 1.0), (f64::NAN, 2.0)], ci: None };
        both("One point", |f| frontier("One point", "x", "y", std::slice::from_ref(&one), None, f));
        let bad = FrontierSeries { ci: Some(vec![(0.0, 1.0)]), ..curve("bad", 0.1) };
        let e = frontier("t", "x", "y", &[bad], None, Format::Svg).unwrap_err().to_string();
        assert!(e.contains("'bad'") && e.contains("1 intervals for 8 points"), "{e}");
    }

    #[test]
    fn bars_normal_and_degenerate() {
        let echelons: Vec<(String, f64)> =
            [("store", 1.1), ("warehouse", 1.9), ("factory", 3.4)].iter().map(|(n, v)| (n.to_string(), *v)).collect();
        both("Bullwhip", |f| bars("Bullwhip", "variance ratio", &echelons, Some((1.0, "no amplification".into())), f));
        both("None", |f| bars("None", "y", &[], None, f));
        let odd = vec![("nan".to_string(), f64::NAN), ("neg".to_string(), -2.0), ("zero".to_string(), 0.0)];
        both("Odd", |f| bars("Odd", "y", &odd, Some((f64::NAN, "ignored".into())), f));
        both("Zeros", |f| bars("Zeros", "y", &[("a".to_string(), 0.0)], None, f));
        both("Max", |f| bars("Max", "y", &[("a".to_string(), f64::MAX), ("b".to_string(), -f64::MAX)], None, f));
    }

    /// Text really reaches the pixels: the title band and the y axis title are not blank.
    #[test]
    fn png_text_is_drawn() {
        let values = sample(100, 10.0, 2.0, 9);
        let chart = Histogram { title: "Title text", x_label: "x", v: { values }, skipped: 0 };
        let rgb = render_rgb(&chart).unwrap();
        let inked = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (y0..y1)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .filter(|&(x, y)| {
                    let i = ((y * WIDTH + x) * 3) as usize;
                    rgb[i..i + 3].iter().any(|&c| c < 128)
                })
                .count()
        };
        assert!(inked(0, WIDTH, 0, 40) > 50, "title band is blank");
        assert!(inked(0, 30, 100, HEIGHT - 100) > 20, "y axis title is blank");
    }

    #[test]
    fn bins_follow_the_data() {
        let v: Vec<f64> = {
            let mut v = sample(1000, 0.0, 1.0, 5);
            v.sort_by(f64::total_cmp);
            v
        };
        let e = bin_edges(&v);
        assert!((11..=41).contains(&e.len()), "{} edges", e.len());
        assert_eq!((e[0], *e.last().unwrap()), (v[0], v[999]));
        assert_eq!(bin_edges(&[2.0, 3.0, 5.0]), vec![1.5, 2.5, 3.5, 4.5, 5.5]);
        assert_eq!(bin_edges(&[4.0, 4.0]).len(), 2);
    }

    #[test]
    fn ticks_and_ranges() {
        let f = tick_format(0.9, 1.0, 8);
        assert_eq!((f(&0.95), f(&-0.0)), ("0.95".to_string(), "0.00".to_string()));
        assert_eq!(tick_format(0.0, 4.9, 8)(&2.0), "2");
        assert_eq!(tick_format(0.0, 500.0, 8)(&250.0), "250");
        assert_eq!(tick_format(0.0, 3e6, 8)(&1.5e6), "1.5M");
        assert_eq!(
            (value_label(4.4), value_label(1.12), value_label(250.0)),
            ("4.4".into(), "1.12".into(), "250".into())
        );
        assert_eq!(padded(2.0, 2.0, 0.1), (1.8, 2.2));
        assert_eq!(padded(0.0, 0.0, 0.1), (-1.0, 1.0));
        assert_eq!(padded(f64::NAN, 1.0, 0.1), (0.0, 1.0));
        assert_eq!(split_two_lines("min max policy"), vec!["min max", "policy"]);
        assert_eq!(split_two_lines("echelon base-stock (fair share)"), vec!["echelon base-stock", "(fair share)"]);
        assert_eq!(split_two_lines("base-stock"), vec!["base-", "stock"]);
        assert_eq!(two_lines("minneapolis"), vec!["minnea-", "polis"]);
        assert_eq!(two_lines("dc-a"), vec!["dc-", "a"]);
        assert_eq!(runs(6, |i| i != 2 && i != 3), vec![0..2, 4..6]);
    }

    /// Writes one sample of each chart to the temporary folder (`plot-samples`) for a look by eye:
    /// `cargo test --lib report::plot -- --ignored write_samples`.
    #[test]
    #[ignore]
    fn write_samples() {
        let dir = std::env::temp_dir().join("plot-samples");
        std::fs::create_dir_all(&dir).unwrap();
        let put = |name: &str, f: &dyn Fn(Format) -> Result<Vec<u8>, PlotError>| {
            for fmt in [Format::Png, Format::Svg] {
                std::fs::write(dir.join(format!("{name}.{}", fmt.extension())), f(fmt).unwrap()).unwrap();
            }
        };
        put("histogram", &|f| {
            histogram("Fill rate across 500 replications", "fill rate", &sample(500, 0.962, 0.012, 7), f)
        });
        let days: Vec<f64> = (0..365).map(f64::from).collect();
        let fans = [fan_series("on-hand", 365, 60.0), fan_series("backorders", 365, 12.0)];
        put("fan", &|f| fan_chart("Inventory at store-3", "units", &days, &fans, f));
        let groups: Vec<(String, Vec<f64>)> =
            ["base-stock", "(s, S)", "min–max", "echelon base-stock (fair share)", "kanban"]
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    (n.to_string(), sample(300, 420.0 - 15.0 * i as f64, 12.0 + 3.0 * i as f64, i as u64 + 11))
                })
                .collect();
        put("box", &|f| box_plots("Total cost per day by strategy", "cost per day (€)", &groups, f));
        let curve = |label: &str, k: f64, x0: f64| FrontierSeries {
            label: label.into(),
            points: (0..9).map(|i| (x0 + 12.0 * i as f64, 1.0 - k * (-0.45 * i as f64).exp())).collect(),
            ci: Some(
                (0..9)
                    .map(|i| {
                        let y = 1.0 - k * (-0.45 * i as f64).exp();
                        (y - 0.006, y + 0.006)
                    })
                    .collect(),
            ),
        };
        let two = [curve("base-stock", 0.25, 40.0), curve("(s, S)", 0.3, 35.0)];
        put("frontier", &|f| {
            frontier(
                "Inventory vs service",
                "average inventory (units)",
                "fill rate",
                &two,
                Some((0.95, "target 95 %".into())),
                f,
            )
        });
        let echelons: Vec<(String, f64)> =
            [("store", 1.12), ("regional warehouse", 1.87), ("central DC", 2.95), ("factory", 4.4)]
                .iter()
                .map(|(n, v)| (n.to_string(), *v))
                .collect();
        put("bars", &|f| {
            bars(
                "Bullwhip by echelon",
                "variance ratio (orders / demand)",
                &echelons,
                Some((1.0, "no amplification".into())),
                f,
            )
        });
        put("empty", &|f| histogram("Turnover", "turns per year", &[], f));
        put("histogram-equal", &|f| histogram("GMROI (all equal)", "GMROI", &[2.5; 40], f));
        let odd = vec![
            ("no values".to_string(), vec![]),
            ("one value".to_string(), vec![3.0]),
            ("a very long variant name that cannot possibly fit under its box".to_string(), sample(50, 2.0, 0.5, 3)),
        ];
        put("box-odd", &|f| box_plots("Odd groups", "units", &odd, f));
        let odd_bars =
            vec![("undefined".to_string(), f64::NAN), ("negative".to_string(), -2.0), ("zero".to_string(), 0.0)];
        put("bars-odd", &|f| bars("Odd bars", "value", &odd_bars, Some((1.0, "reference 1".into())), f));
    }
}
