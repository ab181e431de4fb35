//! Shared layout of every chart: fonts, the header (title, subtitle, legend), axes, ranges
//! and tick labels.

use super::*;

pub(super) fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

pub(super) fn text_style(size: u32, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(color).pos(Pos::new(h, v))
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
pub(super) enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    Fill(RGBAColor),
    Band(RGBColor),
    Whisker(RGBColor),
    Marker(RGBColor),
    LineMarker(RGBColor),
}

pub(super) struct LegendItem {
    pub(super) label: String,
    pub(super) swatch: Swatch,
}

pub(super) fn item(label: impl Into<String>, swatch: Swatch) -> LegendItem {
    LegendItem { label: label.into(), swatch }
}

pub(super) struct Header<'a> {
    pub(super) title: &'a str,
    pub(super) subtitle: Option<String>,
    pub(super) legend: Vec<LegendItem>,
}

/// Text width in pixels as the backend will draw it.
pub(super) fn text_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle) -> i32 {
    root.estimate_text_size(text, style).map(|(w, _)| w as i32).unwrap_or(text.chars().count() as i32 * 8)
}

/// Shortens `text` with an ellipsis until it fits `max_w` pixels.
pub(super) fn ellipsize<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> String {
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
pub(super) fn draw_header<DB: DrawingBackend>(
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

pub(super) fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: Swatch,
    x: i32,
    yc: i32,
) -> Result<(), PlotError> {
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
pub(super) fn draw_no_data<DB: DrawingBackend>(body: &DrawingArea<DB, Shift>, note: &str) -> Result<(), PlotError> {
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
pub(super) fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
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
pub(super) fn ok(v: f64) -> bool {
    v.is_finite() && v.abs() <= 1e150
}

/// Smallest and largest drawable value.
pub(super) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|&v| ok(v)).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((a, b)) => Some((a.min(v), b.max(v))),
    })
}

/// Tick labels on an axis from `lo` to `hi` with `n` labels: as many decimals as the ticks
/// plotters will choose need, the same for every tick; millions get an "M" suffix.
pub(super) fn tick_format(lo: f64, hi: f64, n: usize) -> impl Fn(&f64) -> String {
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
pub(super) fn value_label(v: f64) -> String {
    let s = fmt_num(v);
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Width of the y label area so that tick labels and the rotated axis title fit.
pub(super) fn y_area_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lo: f64, hi: f64) -> i32 {
    let f = tick_format(lo, hi, Y_LABELS);
    let style = font(13);
    let w = [lo, hi, (lo + hi) / 2.0].iter().map(|v| text_width(root, &f(v), &style)).max().unwrap_or(30);
    (w + 42).max(64)
}

/// The chart area of every chart: the same margins, with label areas of the given sizes (px).
pub(super) fn chart_builder<'a, 'b, DB: DrawingBackend>(
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
pub(super) fn draw_categories<DB: DrawingBackend>(
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
pub(super) fn two_lines(s: &str) -> Vec<String> {
    let v = split_two_lines(s);
    let chars: Vec<char> = s.chars().collect();
    if v.len() == 2 || chars.len() < 6 {
        return v;
    }
    let mid = chars.len().div_ceil(2);
    vec![chars[..mid].iter().collect::<String>() + "-", chars[mid..].iter().collect()]
}

/// Splits at the space nearest the middle (else at '-', '_' or '/'); a single line if there is none.
pub(super) fn split_two_lines(s: &str) -> Vec<String> {
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
