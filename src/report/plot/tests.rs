//! Chart tests: valid SVG/PNG, degenerate input, inconsistent input.

use super::fan::runs;
use super::hist::bin_edges;
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
        labels: vec![],
    };
    let two = [curve("base-stock", 0.3), curve("(s, S)", 0.4)];
    let target = Some((0.95, "target 95 %".to_string()));
    both("Frontier", |f| frontier("Frontier", "avg inventory", "fill rate", &two, target.clone(), f));
    both("Empty", |f| frontier("Empty", "x", "y", &[], None, f));
    both("Target only", |f| frontier("Target only", "x", "y", &[], Some((1.0, "t".into())), f));
    let one = FrontierSeries { label: "p".into(), points: vec![(1.0, 1.0), (f64::NAN, 2.0)], ..Default::default() };
    both("One point", |f| frontier("One point", "x", "y", std::slice::from_ref(&one), None, f));
    let bad = FrontierSeries { ci: Some(vec![(0.0, 1.0)]), ..curve("bad", 0.1) };
    let e = frontier("t", "x", "y", &[bad], None, Format::Svg).unwrap_err().to_string();
    assert!(e.contains("'bad'") && e.contains("1 intervals for 8 points"), "{e}");
    let labelled = FrontierSeries { labels: vec!["a".into()], ..curve("lab", 0.1) };
    let e = frontier("t", "x", "y", &[labelled], None, Format::Svg).unwrap_err().to_string();
    assert!(e.contains("1 labels for 8 points"), "{e}");
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
    assert_eq!((value_label(4.4), value_label(1.12), value_label(250.0)), ("4.4".into(), "1.12".into(), "250".into()));
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
            .map(|(i, n)| (n.to_string(), sample(300, 420.0 - 15.0 * i as f64, 12.0 + 3.0 * i as f64, i as u64 + 11)))
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
        labels: vec![],
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
    let odd_bars = vec![("undefined".to_string(), f64::NAN), ("negative".to_string(), -2.0), ("zero".to_string(), 0.0)];
    put("bars-odd", &|f| bars("Odd bars", "value", &odd_bars, Some((1.0, "reference 1".into())), f));
}
