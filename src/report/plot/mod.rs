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
//!
//! Drawing is the Cargo feature `plots` (on by default; plotters and the embedded font): a
//! library built without it keeps these functions, which then answer [`PlotError::NotBuilt`],
//! so reports are written with their tables and without charts.

#![cfg_attr(not(feature = "plots"), allow(unused_variables, dead_code))]

#[cfg(feature = "plots")]
use std::sync::OnceLock;

#[cfg(feature = "plots")]
use plotters::coord::Shift;
#[cfg(feature = "plots")]
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
#[cfg(feature = "plots")]
use plotters::coord::types::RangedCoordf64;
#[cfg(feature = "plots")]
use plotters::element::DashedPathElement;
#[cfg(feature = "plots")]
use plotters::prelude::*;
#[cfg(feature = "plots")]
use plotters::style::text_anchor::{HPos, Pos, VPos};
#[cfg(feature = "plots")]
use plotters::style::{FontStyle, RGBAColor, register_font};

#[cfg(feature = "plots")]
use super::format::fmt_num;

#[cfg(feature = "plots")]
#[macro_use]
mod draw;
#[cfg(feature = "plots")]
mod bars;
#[cfg(feature = "plots")]
mod boxes;
#[cfg(feature = "plots")]
mod fan;
#[cfg(feature = "plots")]
mod frontier;
#[cfg(feature = "plots")]
mod hist;

#[cfg(feature = "plots")]
use crate::stats::quantile_sorted;
#[cfg(feature = "plots")]
use bars::Bars;
#[cfg(feature = "plots")]
use boxes::{BoxStats, Boxes};
#[cfg(feature = "plots")]
use draw::*;
#[cfg(feature = "plots")]
use fan::Fan;
#[cfg(feature = "plots")]
use frontier::Frontier;
#[cfg(feature = "plots")]
use hist::Histogram;

/// Draws a chart where drawing is built in (feature `plots`); else [`PlotError::NotBuilt`].
macro_rules! drawn {
    ($chart:expr, $fmt:expr) => {{
        #[cfg(feature = "plots")]
        {
            render(&$chart, $fmt)
        }
        #[cfg(not(feature = "plots"))]
        {
            Err(PlotError::NotBuilt)
        }
    }};
}

/// Width of every chart in pixels.
pub const WIDTH: u32 = 900;
/// Height of every chart in pixels.
pub const HEIGHT: u32 = 540;

#[cfg(feature = "plots")]
/// Most tick labels on the x and y axes (plotters picks round values up to these counts).
const X_LABELS: usize = 10;
#[cfg(feature = "plots")]
const Y_LABELS: usize = 8;

#[cfg(feature = "plots")]
/// The family name the embedded font is registered under; every text style uses it.
const FONT: &str = "sans-serif";

#[cfg(feature = "plots")]
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
#[cfg(feature = "plots")]
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
#[cfg(feature = "plots")]
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
#[cfg(feature = "plots")]
const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
#[cfg(feature = "plots")]
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
    /// This build of echelon has no charts (built without the Cargo feature `plots`).
    #[error("charts are not built into this echelon (Cargo feature `plots`)")]
    NotBuilt,
    /// The PNG could not be encoded.
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

#[cfg(feature = "plots")]
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
    /// (x, y) points, joined in order of increasing x (so the line never folds back).
    pub points: Vec<(f64, f64)>,
    /// Optional (low, high) interval of y for each point, drawn as a vertical error bar.
    pub ci: Option<Vec<(f64, f64)>>,
    /// Optional text written beside each point (e.g. `×0.5`); empty: none.
    pub labels: Vec<String>,
}

/// Distribution of one KPI across replications: bars of counts, the mean as a solid line and
/// p5 / p95 as dashed lines. NaN and infinite values are ignored.
pub fn histogram(title: &str, x_label: &str, values: &[f64], fmt: Format) -> Result<Vec<u8>, PlotError> {
    drawn!(
        {
            let mut v: Vec<f64> = values.iter().copied().filter(|&x| ok(x)).collect();
            v.sort_by(f64::total_cmp);
            Histogram { title, x_label, v, skipped: values.iter().filter(|&&x| !ok(x)).count() }
        },
        fmt
    )
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

/// What a shaded window on a chart over days marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    /// A scheduled supplier outage or transport delay.
    Outage,
    /// A promotion or demand surge.
    Promotion,
}

impl WindowKind {
    /// Legend label.
    fn label(self) -> &'static str {
        match self {
            WindowKind::Outage => "outage / delay window",
            WindowKind::Promotion => "promotion / surge window",
        }
    }

    /// Fill colour: light enough that bands and lines stay readable on top.
    #[cfg(feature = "plots")]
    fn color(self) -> RGBColor {
        match self {
            WindowKind::Outage => RGBColor(0xC4, 0x4E, 0x52),
            WindowKind::Promotion => RGBColor(0xED, 0xC9, 0x48),
        }
    }
}

/// An inclusive window of days shaded behind a chart over days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// First day (inclusive).
    pub first: f64,
    /// Last day (inclusive).
    pub last: f64,
    /// What it marks.
    pub kind: WindowKind,
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
    fan_chart_shaded(title, y_label, days, axis, bands, &[], fmt)
}

/// [`fan_chart_over`] with windows (outages, promotions) shaded behind the bands.
pub fn fan_chart_shaded(
    title: &str,
    y_label: &str,
    days: &[f64],
    axis: TimeAxis,
    bands: &[FanSeries],
    windows: &[Window],
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
    drawn!(Fan { title, y_label, days, axis, bands, windows }, fmt)
}

/// One box per variant: the box spans p25–p75, a line marks the median, whiskers reach p5 and
/// p95 and a dot marks the mean. Each group is (variant name, values across replications).
pub fn box_plots(title: &str, y_label: &str, groups: &[(String, Vec<f64>)], fmt: Format) -> Result<Vec<u8>, PlotError> {
    drawn!(
        Boxes {
            title,
            y_label,
            boxes: groups.iter().map(|(name, values)| (name.as_str(), BoxStats::of(values))).collect()
        },
        fmt
    )
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
    check_labels(title, series)?;
    drawn!(Frontier { title, x_label, y_label, series, target: target.as_ref(), mark: None }, fmt)
}

/// A KPI against a parameter (e.g. cost per day against a base-stock level): the series drawn
/// as a line with error bars, and the point `mark` (an index into its points, e.g. the lowest
/// cost) ringed and named in the legend.
pub fn curve(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &FrontierSeries,
    mark: Option<(usize, String)>,
    fmt: Format,
) -> Result<Vec<u8>, PlotError> {
    let series = std::slice::from_ref(series);
    check_labels(title, series)?;
    if let Some((i, _)) = &mark
        && *i >= series[0].points.len()
    {
        return Err(PlotError::Input(format!(
            "curve '{title}': marked point {i} of {} points; mark one of the points",
            series[0].points.len()
        )));
    }
    let mark = mark.map(|(i, label)| (series[0].points[i], label));
    drawn!(Frontier { title, x_label, y_label, series, target: None, mark: mark.as_ref() }, fmt)
}

/// An input error unless every series has one interval and at most one label per point.
fn check_labels(title: &str, series: &[FrontierSeries]) -> Result<(), PlotError> {
    for s in series {
        let n = s.points.len();
        let bad =
            s.ci.as_ref()
                .map(|c| (c.len(), "intervals"))
                .filter(|&(c, _)| c != n)
                .or_else(|| Some((s.labels.len(), "labels")).filter(|&(l, _)| l != 0 && l != n));
        if let Some((got, what)) = bad {
            return Err(PlotError::Input(format!(
                "frontier '{title}', series '{}': {got} {what} for {n} points; give one per point",
                s.label
            )));
        }
    }
    Ok(())
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
    drawn!(Bars { title, y_label, groups: &one, reference: reference.as_ref() }, fmt)
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
    drawn!(Bars { title, y_label, groups, reference: reference.as_ref() }, fmt)
}

// ---------------------------------------------------------------------------------------------
// Rendering: one drawing routine per chart, generic over the backend.

#[cfg(feature = "plots")]
/// A chart that can draw itself on any plotters backend.
trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

#[cfg(feature = "plots")]
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

#[cfg(feature = "plots")]
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

#[cfg(feature = "plots")]
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

#[cfg(feature = "plots")]
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

#[cfg(feature = "plots")]
#[cfg(test)]
mod tests;
