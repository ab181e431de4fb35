//! `report.html` and the chart files: `run` draws every chart as a real picture (PNG that decodes
//! to more than one colour, SVG with drawn elements and the chart's title), honours `--plots`,
//! `--no-plots` and `--plot-locations`, and writes one self-contained, escaped, deterministic
//! page; `compare`, `sweep` and `size` write their own page with their tables and charts inline.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::echelon_in;

/// Two stores behind a DC, two strategies for `compare`, and markup in the description.
const NETWORK: &str = r#"
name = "Report test"
description = "Two stores <b>& one DC"

[simulation]
days = 60
replications = 8
seed = 4

[[skus]]
id = "item"
unit_cost = 10.0
price = 15.0
holding_cost = 0.2
stockout_cost = 1.0

[[locations]]
id = "sup"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = 3
policy = { type = "base_stock", level = 60 }

[[locations]]
id = "north"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "s_S", s = 8, S = 20 }

[[locations]]
id = "south"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = 12 }

[[demand]]
location = "north"
distribution = { type = "poisson", mean = 4 }

[[demand]]
location = "south"
distribution = { type = "poisson", mean = 5 }

[strategies.lean]
description = "lower store levels"
stores = { policy = { type = "base_stock", level = 9 } }

[strategies.rich]
stores = { policy = { type = "base_stock", level = 14 } }
"#;

/// The charts `run` draws for [`NETWORK`] by default, with a text of each one's title (which
/// names the strategy applied: the file's first, `lean`, by default).
const RUN_CHARTS: [(&str, &str); 8] = [
    ("hist_fill_rate", "Report test · strategy lean — fill rate"),
    ("hist_total_cost", "Report test · strategy lean — total cost per day"),
    ("hist_gmroi", "Report test · strategy lean — GMROI"),
    ("hist_inventory_turnover", "Report test · strategy lean — inventory turnover"),
    ("fan_network", "Report test · strategy lean — network stock over time"),
    ("service", "Report test · strategy lean — fill rate per week"),
    ("bullwhip", "Report test · strategy lean — bullwhip by echelon"),
    ("bullwhip_locations", "Report test · strategy lean — bullwhip by location"),
];

/// A temporary folder holding [`NETWORK`] as `net.toml`.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("net.toml"), NETWORK).unwrap();
    dir
}

/// Runs a command that must succeed.
fn ok(dir: &Path, args: &[&str]) {
    let out = echelon_in(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "echelon {}:\n{stderr}", args.join(" "));
}

/// `run` on [`NETWORK`] into `dir/out` with extra arguments; returns the output folder.
fn run(dir: &Path, out: &str, extra: &[&str]) -> PathBuf {
    ok(dir, &[&["run", "net.toml", "--out", out, "--quiet"], extra].concat());
    dir.join(out)
}

fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// File names in a folder with the given extension, sorted.
fn files_with(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(&format!(".{ext}")))
        .collect();
    v.sort();
    v
}

/// A PNG file: the signature, a header with a positive size, and a picture of more than one
/// colour (a chart, not a blank canvas).
fn assert_png(path: &Path) {
    let b = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let what = path.display();
    assert!(b.len() > 33, "{what}: {} bytes is too short for a PNG", b.len());
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{what}: no PNG signature");
    assert_eq!(&b[12..16], b"IHDR", "{what}: the first chunk is not IHDR");
    let w = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
    let h = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
    assert!(w > 0 && h > 0, "{what}: {w} × {h} pixels");
    let img = image::load_from_memory_with_format(&b, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{what} does not decode: {e}"))
        .to_rgb8();
    assert_eq!((img.width(), img.height()), (w, h), "{what}: decoded size differs from the header");
    let first = img.get_pixel(0, 0);
    let others = img.pixels().filter(|p| *p != first).count();
    // Axes, bars, lines and text cover far more than a few pixels of a 900 × 540 chart.
    assert!(others > 1000, "{what}: only {others} pixels differ from the background: a blank picture");
}

/// An SVG file: a whole document with drawn shapes, text and the chart's title.
fn assert_svg(path: &Path, title: &str) {
    let s = read_text(path);
    let what = path.display();
    let t = s.trim();
    assert!(t.starts_with("<svg") || t.starts_with("<?xml"), "{what} does not start as SVG: {:?}", &t[..40]);
    assert!(t.ends_with("</svg>"), "{what} does not end with </svg>");
    assert!(["<rect", "<path", "<polyline", "<circle"].iter().any(|e| s.contains(e)), "{what} draws no shapes");
    assert!(s.contains("<text"), "{what} has no text");
    assert!(s.contains(title), "{what} lacks its title {title:?}");
}

/// A page that needs nothing but itself: no scripts, no external files or links. The only URL
/// allowed is the SVG namespace of inlined charts, which is a name, not a reference.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for bad in ["<script", "src=", "href=", "<link", "@import", "url(", "<iframe", "<object", "<embed"] {
        assert!(!lower.contains(bad), "report.html contains {bad:?}");
    }
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(html.matches("http").count(), namespaces, "report.html refers to a URL other than the SVG namespace");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    // No machine paths: temporary folders are absolute paths, the scenario was given relative.
    assert!(!html.contains(&std::env::temp_dir().display().to_string()), "report.html names a machine path");
}

/// The scenario description is shown, escaped.
fn assert_escaped_description(html: &str) {
    assert!(html.contains("Two stores &lt;b&gt;&amp; one DC"), "the description is not shown escaped");
    assert!(!html.contains("<b>&"), "the description's markup is not escaped");
}

#[test]
fn run_draws_every_chart_as_png_and_svg_and_inlines_it() {
    let dir = setup();
    let out = run(dir.path(), "out", &[]);
    for (stem, title) in RUN_CHARTS {
        assert_png(&out.join(format!("{stem}.png")));
        assert_svg(&out.join(format!("{stem}.svg")), title);
    }
    let html = read_text(&out.join("report.html"));
    assert_self_contained(&html);
    assert_escaped_description(&html);
    assert!(html.contains("Network: headline KPIs") && html.contains("<td>fill rate</td>"), "no headline table");
    assert!(html.contains("<td>north</td>") && html.contains("<td>dc</td>"), "no location table");
    // One inline chart per SVG file, each inlined as drawn.
    let svgs = files_with(&out, "svg");
    assert!(svgs.len() >= RUN_CHARTS.len(), "{svgs:?}");
    assert_eq!(html.matches("<svg").count(), svgs.len(), "inline charts vs {svgs:?}");
    for f in &svgs {
        let body = read_text(&out.join(f));
        assert!(html.contains(body.trim().trim_start_matches("<svg")), "{f} is not inlined as drawn");
    }
    assert_eq!(files_with(&out, "png").len(), svgs.len());
}

#[test]
fn plot_formats_and_no_plots() {
    let dir = setup();
    let svg = run(dir.path(), "svg", &["--plots", "svg"]);
    assert!(files_with(&svg, "png").is_empty(), "--plots svg wrote {:?}", files_with(&svg, "png"));
    let svgs = files_with(&svg, "svg");
    assert!(svgs.len() >= RUN_CHARTS.len(), "{svgs:?}");
    assert_eq!(read_text(&svg.join("report.html")).matches("<svg").count(), svgs.len());

    let png = run(dir.path(), "png", &["--plots", "png"]);
    assert!(files_with(&png, "svg").is_empty(), "--plots png wrote {:?}", files_with(&png, "svg"));
    assert_png(&png.join("hist_fill_rate.png"));
    // The page still has its charts: SVG is drawn for it whatever files are written.
    assert!(read_text(&png.join("report.html")).matches("<svg").count() >= RUN_CHARTS.len());

    let none = run(dir.path(), "none", &["--no-plots"]);
    assert!(files_with(&none, "png").is_empty() && files_with(&none, "svg").is_empty(), "--no-plots drew charts");
    let html = read_text(&none.join("report.html"));
    assert_self_contained(&html);
    assert!(html.contains("<td>fill rate</td>") && html.contains("<td>south</td>"), "tables missing");
    assert!(html.contains("--no-plots") && !html.contains("<svg"), "charts in a --no-plots report");
    assert!(none.join("summary.json").exists() && none.join("replications.csv").exists());
}

#[test]
fn plot_locations_pick_the_fan_charts() {
    let dir = setup();
    let out = run(dir.path(), "out", &["--plot-locations", "south", "--plots", "svg"]);
    assert_svg(&out.join("fan_south.svg"), "Report test · strategy lean — stock at south");
    let fans: Vec<String> = files_with(&out, "svg").into_iter().filter(|f| f.starts_with("fan_")).collect();
    assert_eq!(fans, ["fan_network.svg", "fan_south.svg"]);

    let bad = echelon_in(dir.path())
        .args(["run", "net.toml", "--out", "bad", "--quiet", "--plot-locations", "south,nowhere"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("--plot-locations") && stderr.contains("unknown location 'nowhere'"), "{stderr}");
    assert!(stderr.contains("dc, north, south"), "the message does not list the locations: {stderr}");
    assert!(!dir.path().join("bad").exists(), "output written for a bad --plot-locations");
}

#[test]
fn same_seed_same_report_for_any_thread_count() {
    let dir = setup();
    let one = run(dir.path(), "t1", &["--threads", "1", "--seed", "9"]);
    let two = run(dir.path(), "t2", &["--threads", "2", "--seed", "9"]);
    let (a, b) = (fs::read(one.join("report.html")).unwrap(), fs::read(two.join("report.html")).unwrap());
    assert!(a == b, "report.html of run differs between --threads 1 and --threads 2");
    for (threads, out) in [("1", "c1"), ("2", "c2")] {
        ok(dir.path(), &["compare", "net.toml", "--replications", "6", "--threads", threads, "--out", out, "-q"]);
    }
    let read = |out: &str| fs::read(dir.path().join(out).join("report.html")).unwrap();
    assert!(read("c1") == read("c2"), "report.html of compare differs between --threads 1 and --threads 2");
}

#[test]
fn compare_writes_a_report_with_the_box_plots_inline() {
    let dir = setup();
    ok(dir.path(), &["compare", "net.toml", "--replications", "6", "--out", "cmp", "-q"]);
    let out = dir.path().join("cmp");
    let html = read_text(&out.join("report.html"));
    assert_self_contained(&html);
    assert_escaped_description(&html);
    assert!(html.contains("<h1>Report test</h1>"));
    for name in ["lean", "rich"] {
        assert!(html.contains(&format!("<td>{name}</td>")), "variant {name} missing");
    }
    assert!(html.contains("lower store levels"), "the strategy's description is missing");
    assert!(html.contains("common random numbers: every variant sees the same demand"));
    assert!(html.contains("Differences to the baseline (lean)") && html.contains("95 % CI"));
    // A 3-unit higher level at both stores raises the fill rate in every replication.
    assert!(html.contains("<td class=\"num sig\">+"), "no significant difference marked");
    assert_eq!(html.matches("<svg").count(), 3);
    for kpi in ["fill_rate", "total_cost", "avg_on_hand"] {
        let png = out.join(format!("box_{kpi}.png"));
        assert_png(&png);
        let svg = read_text(&out.join(format!("box_{kpi}.svg")));
        assert!(html.contains(svg.trim().trim_start_matches("<svg")), "box_{kpi}.svg is not inlined as drawn");
    }
}

#[test]
fn size_writes_a_report_with_positions_and_frontier() {
    let dir = setup();
    ok(
        dir.path(),
        &["size", "net.toml", "--target", "fill_rate=0.9", "--replications", "8", "--days", "200", "--out", "sz", "-q"],
    );
    let out = dir.path().join("sz");
    let html = read_text(&out.join("report.html"));
    assert_self_contained(&html);
    assert_escaped_description(&html);
    assert!(html.contains("fill rate ≥ 90.00 %"), "target missing");
    assert!(html.contains("Levels by position") && html.contains("textbook level") && html.contains("safety stock"));
    for store in ["north", "south"] {
        assert!(html.contains(&format!("<tr><td>{store}</td><td>item</td>")), "position row of {store} missing");
    }
    assert!(html.contains("Inventory investment"));
    assert_eq!(html.matches("<svg").count(), 1);
    let svg = read_text(&out.join("frontier.svg"));
    assert!(html.contains(svg.trim().trim_start_matches("<svg")), "frontier.svg is not inlined as drawn");
    assert!(!html.contains("NaN"), "a NaN reached the page");
}

#[test]
fn sweep_writes_a_report_with_points_and_frontier() {
    let dir = setup();
    let set = "locations.south.policy.level=10,12,14";
    ok(dir.path(), &["sweep", "net.toml", "--set", set, "--replications", "4", "--out", "sw", "-q"]);
    let out = dir.path().join("sw");
    let html = read_text(&out.join("report.html"));
    assert_self_contained(&html);
    assert_escaped_description(&html);
    assert!(html.contains("locations.south.policy.level: 10, 12, 14"));
    for v in ["10", "12", "14"] {
        assert!(html.contains(&format!("<tr><td>{v}</td>")), "point {v} missing");
    }
    assert!(html.contains("Lowest total cost"));
    // The frontier, and for one axis of numbers the cost curve, each inlined as drawn.
    assert_eq!(html.matches("<svg").count(), 2);
    for chart in ["frontier.svg", "cost_curve.svg"] {
        let svg = read_text(&out.join(chart));
        assert!(html.contains(svg.trim().trim_start_matches("<svg")), "{chart} is not inlined as drawn");
    }
}

/// A planner's network: 30 stores (more than the report's 25 rows) in two tiers behind one DC,
/// two SKUs, lost sales, a scheduled supplier outage and a promotion, and a strategy.
fn planner_network() -> String {
    let mut s = String::from(
        r#"
name = "Planner test"

[simulation]
days = 56
replications = 6
seed = 3
unmet_demand = "lost_sales"

[[skus]]
id = "a"
holding_cost = 0.2
stockout_cost = 1.0
order_cost = 2.0

[[skus]]
id = "b"
holding_cost = 0.1
stockout_cost = 0.5

[[locations]]
id = "sup"
type = "supplier"
disruption = { type = "scheduled", windows = [[10, 14]] }

[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = 3
policy = { type = "base_stock", level = 900 }

[strategies.lean]
description = "lower store levels"
"#,
    );
    for i in 0..30 {
        let tier = if i < 10 { "A" } else { "B" };
        s += &format!(
            "[[locations]]\nid = \"s{i:02}\"\ntype = \"store\"\nsource = \"dc\"\nlead_time = 1\ntier = \"{tier}\"\n\
             policy = {{ type = \"base_stock\", level = {} }}\n\n",
            4 + i / 3
        );
        for sku in ["a", "b"] {
            let promo = if i == 0 && sku == "a" {
                "\npromotions = [{ first_day = 30, last_day = 34, multiplier = 2.0 }]"
            } else {
                ""
            };
            s += &format!(
                "[[demand]]\nlocation = \"s{i:02}\"\nsku = \"{sku}\"\ndistribution = {{ type = \"poisson\", mean = 3 }}{promo}\n\n"
            );
        }
    }
    s
}

/// The mean of a KPI in a summary.json scope.
fn mean(scope: &serde_json::Value, kpi: &str) -> f64 {
    scope[kpi]["mean"].as_f64().unwrap_or_else(|| panic!("no mean of {kpi} in {scope}"))
}

/// The text of one `<h2>` section of a page (up to the next section).
fn section<'a>(html: &'a str, heading: &str) -> &'a str {
    let start = html.find(&format!("<h2>{heading}</h2>")).unwrap_or_else(|| panic!("no section {heading:?}"));
    let rest = &html[start + 4..];
    &rest[..rest.find("<h2>").unwrap_or(rest.len())]
}

#[test]
fn run_shows_the_views_a_planner_expects() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("net.toml"), planner_network()).unwrap();
    let out = echelon_in(dir.path())
        .args(["run", "net.toml", "--strategy", "lean", "--out", "out", "--plots", "svg"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out_dir = dir.path().join("out");

    // The per-SKU scope: each SKU summed over its locations, in summary.json and the CSV.
    let json: serde_json::Value = serde_json::from_slice(&fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    let skus = json["skus"].as_object().expect("a skus object");
    assert_eq!(skus.keys().collect::<Vec<_>>(), ["a", "b"]);
    let net = &json["network"];
    for kpi in ["units_demanded", "lost_sales", "avg_on_hand", "total_cost"] {
        let sum: f64 = skus.values().map(|s| mean(s, kpi)).sum();
        assert!((sum - mean(net, kpi)).abs() <= 1e-9 * mean(net, kpi).abs().max(1.0), "{kpi}: SKUs {sum} vs network");
    }
    let csv = read_text(&out_dir.join("replications.csv"));
    assert_eq!(csv.lines().filter(|l| l.contains(",sku,,a,")).count(), 6);

    // The cost components add up to the total, for the network and every location.
    let parts = ["holding_cost", "stockout_cost", "order_cost", "in_transit_holding_cost", "transfer_cost"];
    let locations = json["locations"].as_object().unwrap();
    assert_eq!(locations.len(), 31);
    for (name, scope) in std::iter::once(("network", net)).chain(locations.iter().map(|(k, v)| (k.as_str(), v))) {
        let sum: f64 = parts.iter().map(|k| mean(scope, k)).sum();
        let total = mean(scope, "total_cost");
        assert!((sum - total).abs() <= 1e-9 * total.abs().max(1.0), "{name}: parts {sum} vs total {total}");
    }

    let html = read_text(&out_dir.join("report.html"));
    assert_self_contained(&html);
    let costs = section(&html, "Cost breakdown");
    for h in ["holding", "stockout", "ordering", "in-transit holding", "transfers", "total"] {
        assert!(costs.contains(&format!("<th class=\"num\">{h}</th>")), "no {h} column");
    }
    assert!(costs.contains("<td>network</td>"));
    // Locations: worst first, 25 rows, the rest named as left out.
    let locs = section(&html, "Locations");
    assert_eq!(locs.matches("<tr><td>").count(), 25, "{locs}");
    assert!(locs.contains("… and 6 more locations: see replications.csv / summary.json."), "{locs}");
    let skus_html = section(&html, "SKUs");
    assert!(skus_html.contains("<td>a</td>") && skus_html.contains("<td>b</td>"));
    let groups = section(&html, "Tiers, segments and regions");
    assert!(groups.contains("<td>A</td>") && groups.contains("<td>B</td>"), "{groups}");
    assert!(html.contains("<h2>Service over time</h2>"));

    // The terminal: worst fill rate first, with bullwhip, capped.
    let head = stdout.lines().position(|l| l.contains("by location")).expect("a location table");
    assert!(stdout.lines().nth(head).unwrap().contains("bullwhip"), "{stdout}");
    let fills: Vec<f64> = stdout
        .lines()
        .skip(head + 1)
        .take_while(|l| l.starts_with("  s"))
        .map(|l| l.split_whitespace().nth(1).unwrap().trim_end_matches('%').parse().unwrap())
        .collect();
    assert_eq!(fills.len(), 25, "{stdout}");
    assert!(fills.windows(2).all(|w| w[0] <= w[1]), "not worst first: {fills:?}");
    assert!(stdout.contains("… and 6 more locations"), "{stdout}");
    let by_sku: Vec<&str> = stdout.lines().skip_while(|l| !l.contains("by SKU")).skip(1).take(2).collect();
    assert!(
        by_sku.len() == 2 && by_sku[0].trim_start().starts_with("a ") && by_sku[1].trim_start().starts_with("b "),
        "{stdout}"
    );

    // Charts: titles name the strategy; lost sales instead of backorders; windows shaded.
    let fan = read_text(&out_dir.join("fan_network.svg"));
    assert!(fan.contains("Planner test · strategy lean — network stock over time"));
    assert!(
        fan.contains("lost sales (units per day)") && !fan.contains("backorders"),
        "lost-sales fan shows backorders"
    );
    assert!(fan.contains("outage / delay window") && fan.contains("promotion / surge window"));
    assert_svg(&out_dir.join("service.svg"), "Planner test · strategy lean — fill rate per week");
    assert!(read_text(&out_dir.join("service.svg")).contains("(median)"), "no worst-location lines");
}
