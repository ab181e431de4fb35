//! `report.html`: one self-contained page a planner can open, print or forward — the scenario,
//! the run facts, the headline tables, the charts as inline SVG and a short "how to read this"
//! per section.
//!
//! The page has no scripts, no external style sheets, fonts or images: everything is in the one
//! file, so it survives being mailed around. Nothing in it depends on the clock or the machine,
//! so the same seed gives the same bytes. [`Page`] is the small builder every command uses
//! (`run` here in [`run_report`]; `compare`, `sweep` and `size` next to their own tables); all
//! text from a scenario goes through [`escape`].

use std::fmt::Write as _;

use super::figures::{Figure, FigureKind, time_axis};
use super::format::{fmt_horizon, fmt_kpi, fmt_num, fmt_pct};
use super::plot::TimeAxis;
use super::summary::RunMeta;
use super::table::HEADLINE;
use crate::kpi::Kpi;
use crate::model::Model;
use crate::runner::{RunResult, Scope};
use crate::scenario::LocationKind;
use crate::stats::Summary;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Clean, printable styling; system fonts only.
const STYLE: &str = "\
:root{--ink:#222;--muted:#5f6368;--rule:#e2e2e2;--accent:#4e79a7}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",Arial,sans-serif;color:var(--ink);\
max-width:1020px;margin:2rem auto;padding:0 1.2rem;line-height:1.45;font-size:15px}
h1{font-size:1.65rem;margin:0 0 .3rem}
h2{font-size:1.25rem;margin:2.2rem 0 .6rem;padding-bottom:.25rem;border-bottom:2px solid var(--rule)}
h3{font-size:1.02rem;margin:1.4rem 0 .4rem}
p{margin:.5rem 0}
.subtitle{color:var(--muted);margin:0 0 .8rem}
.description{font-size:1.02rem;margin:.6rem 0 1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1.2rem;margin:.8rem 0;font-size:.93rem}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem;max-width:100%}
caption{text-align:left;color:var(--muted);font-size:.85rem;padding-bottom:.3rem}
th,td{padding:.28rem .55rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #999;font-weight:600;vertical-align:bottom;hyphens:auto}
td:not(.num),th{overflow-wrap:break-word}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
th.num,td.range{white-space:normal}
tr.group td{font-weight:600;background:#fafafa}
tr.base td{color:var(--muted)}
.sig{font-weight:600}
.warn{color:#a23b2a}
.howto{background:#f5f7fa;border-left:4px solid var(--accent);padding:.55rem .9rem;margin:.9rem 0;font-size:.92rem}
.howto strong{display:block;margin-bottom:.15rem}
.note{color:var(--muted);font-size:.88rem}
figure{margin:1.2rem 0;break-inside:avoid;page-break-inside:avoid}
figure svg{display:block;max-width:100%;height:auto;border:1px solid var(--rule)}
figcaption{color:var(--muted);font-size:.86rem;margin-top:.3rem}
footer{margin-top:2.5rem;color:var(--muted);font-size:.8rem;border-top:1px solid var(--rule);padding-top:.5rem}
@page{margin:12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}h2{break-after:avoid;page-break-after:avoid}\
.howto{background:none}figure svg{border:none}.table-wrap{overflow:visible}table{font-size:7.5pt}\
th,td{padding:.1rem .25rem}tr{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}}
";

/// Column alignment of a [`Table`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text, left-aligned.
    Left,
    /// Numbers, right-aligned, never wrapped.
    Num,
}

/// A table cell: its text (escaped when written) and an optional CSS class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// Plain text.
    pub text: String,
    /// CSS class (e.g. `sig` for a significant difference).
    pub class: Option<&'static str>,
}

impl<T: Into<String>> From<T> for Cell {
    fn from(t: T) -> Self {
        Cell { text: t.into(), class: None }
    }
}

impl Cell {
    /// A cell with a CSS class.
    pub fn with_class(text: impl Into<String>, class: &'static str) -> Cell {
        Cell { text: text.into(), class: Some(class) }
    }
}

/// A table row: cells, and a CSS class for the whole row (`group` for a group heading).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    /// Cells, one per column (a group row may have a single cell spanning all columns).
    pub cells: Vec<Cell>,
    /// CSS class of the row.
    pub class: Option<&'static str>,
}

impl Row {
    /// A row of plain cells.
    pub fn new(cells: Vec<Cell>) -> Row {
        Row { cells, class: None }
    }
}

/// A table of text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Caption above the table.
    pub caption: Option<String>,
    /// Column headings.
    pub head: Vec<String>,
    /// Alignment per column.
    pub align: Vec<Align>,
    /// Rows.
    pub rows: Vec<Row>,
}

impl Table {
    /// A table with the given headings and alignments.
    pub fn new(head: &[&str], align: &[Align]) -> Table {
        Table { head: head.iter().map(|s| s.to_string()).collect(), align: align.to_vec(), ..Table::default() }
    }

    /// Appends a row of cells.
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row::new(cells));
    }
}

/// A self-contained HTML page, built section by section.
pub struct Page {
    title: String,
    body: String,
    sources: String,
}

impl Page {
    /// A page titled `title` (the scenario name), with an optional subtitle line and the
    /// scenario's description (empty: none).
    pub fn new(title: &str, subtitle: Option<&str>, description: &str) -> Page {
        let mut body = String::with_capacity(1 << 16);
        let _ = writeln!(body, "<header>\n<h1>{}</h1>", escape(title));
        if let Some(sub) = subtitle {
            let _ = writeln!(body, "<p class=\"subtitle\">{}</p>", escape(sub));
        }
        let desc = description.trim();
        if !desc.is_empty() {
            body.push_str("<div class=\"description\">");
            for (i, para) in desc.split("\n\n").filter(|p| !p.trim().is_empty()).enumerate() {
                if i > 0 {
                    body.push('\n');
                }
                let _ = write!(body, "<p>{}</p>", escape(para.trim()).replace('\n', "<br>"));
            }
            body.push_str("</div>\n");
        }
        body.push_str("</header>\n");
        Page { title: title.to_string(), body, sources: "summary.json and the CSV files".into() }
    }

    /// Names the data files the numbers come from, for the footer (default: those of `run`,
    /// "summary.json and the CSV files").
    pub fn sources(&mut self, files: &str) {
        self.sources = files.to_string();
    }

    /// A list of facts, `label: value`.
    pub fn facts(&mut self, facts: &[(&str, String)]) {
        self.body.push_str("<dl class=\"facts\">\n");
        for (k, v) in facts {
            let _ = writeln!(self.body, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
        }
        self.body.push_str("</dl>\n");
    }

    /// Starts a section with a heading.
    pub fn section(&mut self, heading: &str) {
        let _ = writeln!(self.body, "<h2>{}</h2>", escape(heading));
    }

    /// A sub-heading inside a section.
    pub fn subsection(&mut self, heading: &str) {
        let _ = writeln!(self.body, "<h3>{}</h3>", escape(heading));
    }

    /// A "How to read this" box; paragraphs are separated by blank lines.
    pub fn how_to_read(&mut self, text: &str) {
        self.body.push_str("<div class=\"howto\"><strong>How to read this</strong>");
        for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let _ = write!(self.body, "<p>{}</p>", escape(para.trim()));
        }
        self.body.push_str("</div>\n");
    }

    /// A paragraph of text, with an optional CSS class.
    pub fn paragraph(&mut self, text: &str, class: Option<&str>) {
        match class {
            Some(c) => {
                let _ = writeln!(self.body, "<p class=\"{}\">{}</p>", escape(c), escape(text));
            }
            None => {
                let _ = writeln!(self.body, "<p>{}</p>", escape(text));
            }
        }
    }

    /// A table.
    pub fn table(&mut self, t: &Table) {
        let b = &mut self.body;
        b.push_str("<div class=\"table-wrap\"><table>\n");
        if let Some(c) = &t.caption {
            let _ = writeln!(b, "<caption>{}</caption>", escape(c));
        }
        let class = |i: usize| if t.align.get(i) == Some(&Align::Num) { " class=\"num\"" } else { "" };
        b.push_str("<thead><tr>");
        for (i, h) in t.head.iter().enumerate() {
            let _ = write!(b, "<th{}>{}</th>", class(i), escape(h));
        }
        b.push_str("</tr></thead>\n<tbody>\n");
        for row in &t.rows {
            match row.class {
                Some(c) => {
                    let _ = write!(b, "<tr class=\"{c}\">");
                }
                None => b.push_str("<tr>"),
            }
            if row.cells.len() == 1 && t.head.len() > 1 {
                let _ = write!(b, "<td colspan=\"{}\">{}</td>", t.head.len(), escape(&row.cells[0].text));
            } else {
                for (i, c) in row.cells.iter().enumerate() {
                    let cls = match (t.align.get(i) == Some(&Align::Num), c.class) {
                        (true, Some(x)) => format!(" class=\"num {x}\""),
                        (true, None) => " class=\"num\"".to_string(),
                        (false, Some(x)) => format!(" class=\"{x}\""),
                        (false, None) => String::new(),
                    };
                    let _ = write!(b, "<td{cls}>{}</td>", escape(&c.text));
                }
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</tbody>\n</table></div>\n");
    }

    /// A chart, its SVG text inlined, with a caption. Bytes that are not an SVG document are
    /// left out (with a note), so a broken chart never breaks the page.
    pub fn figure(&mut self, svg: &[u8], caption: &str) {
        let svg =
            std::str::from_utf8(svg).ok().map(str::trim).filter(|s| s.starts_with("<svg") && s.ends_with("</svg>"));
        self.body.push_str("<figure>\n");
        match svg {
            Some(s) => {
                // Label the picture for screen readers; the rest of the SVG is inlined as drawn.
                let _ = write!(self.body, "<svg role=\"img\" aria-label=\"{}\"", escape(caption));
                self.body.push_str(&s[4..]);
                self.body.push('\n');
            }
            None => self.body.push_str("<p class=\"note\">(chart not available)</p>\n"),
        }
        let _ = writeln!(self.body, "<figcaption>{}</figcaption>\n</figure>", escape(caption));
    }

    /// The finished document.
    pub fn finish(self) -> Vec<u8> {
        let mut out = String::with_capacity(self.body.len() + STYLE.len() + 512);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(out, "<title>{}</title>", escape(&self.title));
        let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>");
        out.push_str(&self.body);
        let _ = writeln!(
            out,
            "<footer>Written by echelon {}, a Monte Carlo simulator of inventory networks. The numbers \
             come from the files next to this page ({}); the same seed gives the same report.</footer>",
            env!("CARGO_PKG_VERSION"),
            escape(&self.sources)
        );
        out.push_str("</body>\n</html>\n");
        out.into_bytes()
    }
}

/// Labels of the KPIs in the report's tables that [`HEADLINE`] does not name.
fn kpi_label(k: Kpi) -> String {
    HEADLINE.iter().find(|(h, _)| *h == k).map_or_else(|| k.name().replace('_', " "), |(_, l)| l.to_string())
}

/// The `report.html` of `run`: facts, the network and location tables, and the charts.
pub fn run_report(
    m: &Model,
    r: &RunResult,
    sums: &[Vec<Option<Summary>>],
    meta: &RunMeta,
    figures: &[Figure],
    plots_note: Option<&str>,
) -> Vec<u8> {
    let mut page = Page::new(&meta.scenario, Some("Monte Carlo simulation report"), &m.scenario.description);
    page.facts(&run_facts(m, r, meta));
    // What validation warned about (windows outside the horizon, implausible costs) stays with
    // the results it may have changed.
    for w in &m.scenario.warnings {
        let help = w.help().map_or_else(String::new, |h| format!(" ({h})"));
        page.paragraph(&format!("Warning: {w}{help}"), Some("warn"));
    }
    network_section(&mut page, m, r, sums);
    locations_section(&mut page, m, r, sums);
    cost_section(&mut page, m, r, sums);
    groups_section(&mut page, m, r, sums);
    positions_section(&mut page, m, r);
    figure_sections(&mut page, figures, plots_note);
    page.finish()
}

/// The facts at the head of the run report: file, horizon, network, strategy and stress.
fn run_facts(m: &Model, r: &RunResult, meta: &RunMeta) -> Vec<(&'static str, String)> {
    let sc = &m.scenario;
    let n_wh = sc.locations.iter().filter(|l| l.kind == LocationKind::Warehouse).count();
    let n_st = sc.locations.iter().filter(|l| l.kind == LocationKind::Store).count();
    let n_sup = sc.locations.iter().filter(|l| l.kind == LocationKind::Supplier).count();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut facts = vec![
        ("Scenario file", meta.file.clone()),
        ("Run", fmt_horizon(r.replications, m.days, m.warmup, r.seed)),
        (
            "Network",
            format!(
                "{}, {}, {}; {} ({})",
                plural(n_sup, "supplier", "suppliers"),
                plural(n_wh, "warehouse", "warehouses"),
                plural(n_st, "store", "stores"),
                plural(sc.skus.len(), "SKU", "SKUs"),
                plural(m.n_pos(), "stocking position", "stocking positions"),
            ),
        ),
        (
            "Unmet demand",
            if m.lost_sales {
                "lost (lost sales)".to_string()
            } else {
                "backordered (served when stock arrives)".into()
            },
        ),
    ];
    if let TimeAxis::Dates((y, mo, d)) = time_axis(sc) {
        facts.push(("Day 0", format!("{y:04}-{mo:02}-{d:02} (the first measured day)")));
    }
    if let Some(s) = &meta.strategy {
        let desc = sc.strategies.iter().find(|x| &x.name == s).map(|x| x.description.clone()).unwrap_or_default();
        facts.push(("Strategy", if desc.is_empty() { s.clone() } else { format!("{s} — {desc}") }));
    }
    if let Some(s) = &meta.stress {
        let desc = sc.stresses.iter().find(|x| &x.name == s).map(|x| x.description.clone()).unwrap_or_default();
        facts.push(("Stress test", if desc.is_empty() { s.clone() } else { format!("{s} — {desc}") }));
    }
    facts
}

/// The network's headline KPIs (and resilience KPIs where defined), and how to read them.
fn network_section(page: &mut Page, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) {
    let sc = &m.scenario;
    page.section("Network: headline KPIs");
    let net = r.network_index();
    let mut t = Table::new(
        &["KPI", "mean", "90 % of replications", "95 % CI of the mean", "unit"],
        &[Align::Left, Align::Num, Align::Num, Align::Num, Align::Left],
    );
    let mut kpis: Vec<Kpi> = HEADLINE.iter().map(|(k, _)| *k).collect();
    kpis.extend(Kpi::ALL.iter().filter(|k| k.resilience()));
    for k in kpis {
        if k == Kpi::LostSales && !m.lost_sales {
            continue;
        }
        let Some(x) = &sums[net][k as usize] else {
            continue;
        };
        // One replication has no spread and no confidence interval to claim.
        let (range, ci) = if r.replications < 2 {
            ("– (one replication)".to_string(), "– (one replication)".to_string())
        } else {
            (
                format!("[{}, {}]", fmt_kpi(k, x.p5), fmt_kpi(k, x.p95)),
                format!("[{}, {}]", fmt_kpi(k, x.ci95[0]), fmt_kpi(k, x.ci95[1])),
            )
        };
        t.row(vec![
            kpi_label(k).into(),
            fmt_kpi(k, x.mean).into(),
            range.into(),
            ci.into(),
            unit_text(k, sc.skus.len() > 1).into(),
        ]);
    }
    page.table(&t);
    page.how_to_read(
        "Every replication is one possible future of the same network: same policies, different random \
         demand, lead times and disruptions. The mean is the average over all replications; \"90 % of \
         replications\" is the range from the 5th to the 95th percentile, i.e. how good or bad a single \
         period like the simulated one can plausibly turn out. The 95 % confidence interval says how \
         precisely the mean itself is known from this many replications; it narrows with more replications, \
         the 90 % range does not.\n\n\
         Fill rate is the share of units demanded that were served from stock the same day; stockout days \
         is the share of customer-facing location-days with demand not fully served. Costs are per day; \
         turnover and GMROI are per year. Bullwhip above 1 means orders to suppliers vary more than customer \
         demand does.",
    );
}

/// Most rows of the location table in the report (and on the terminal); the rest are in
/// `summary.json` and `replications.csv`.
pub const MAX_LOCATION_ROWS: usize = 25;

/// The mean of a KPI of scope `i` (NaN if undefined).
fn mean_of(sums: &[Vec<Option<Summary>>], i: usize, k: Kpi) -> f64 {
    sums[i][k as usize].as_ref().map_or(f64::NAN, |x| x.mean)
}

/// Stocking locations as (scope index, scenario index), worst first: lowest mean fill rate
/// first, locations without customer demand (no fill rate) after them; ties keep file order.
pub fn locations_worst_first(r: &RunResult, sums: &[Vec<Option<Summary>>]) -> Vec<(usize, usize)> {
    let mut locs: Vec<(usize, usize)> = r
        .scopes
        .iter()
        .enumerate()
        .filter_map(|(i, s)| if let Scope::Location(l) = *s { Some((i, l)) } else { None })
        .collect();
    // NaN (no customer demand) sorts as +∞: after every real fill rate.
    let key = |i: usize| {
        let f = mean_of(sums, i, Kpi::FillRate);
        if f.is_nan() { f64::INFINITY } else { f }
    };
    locs.sort_by(|a, b| key(a.0).total_cmp(&key(b.0)));
    locs
}

/// The note under a capped table: how many rows are left out and where they are.
pub fn more_rows_note(more: usize, what: &str) -> String {
    format!("… and {more} more {what}: see replications.csv / summary.json.")
}

/// One row per stocking location, worst fill rate first and capped, and how to read it.
fn locations_section(page: &mut Page, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) {
    let sc = &m.scenario;
    let locs = locations_worst_first(r, sums);
    if locs.is_empty() {
        return;
    }
    page.section("Locations");
    let mut t = Table::new(
        &[
            "location",
            "type",
            "source",
            "fill rate",
            "stockout days",
            "on hand",
            "backorders",
            "cost / day",
            "bullwhip",
        ],
        &[
            Align::Left,
            Align::Left,
            Align::Left,
            Align::Num,
            Align::Num,
            Align::Num,
            Align::Num,
            Align::Num,
            Align::Num,
        ],
    );
    t.caption =
        Some("Means over replications, worst fill rate first; stocks in units (all SKUs), cost per day.".into());
    let mean = |i: usize, k: Kpi| mean_of(sums, i, k);
    for &(i, l) in locs.iter().take(MAX_LOCATION_ROWS) {
        let loc = &sc.locations[l];
        let kind = loc.kind.as_str();
        let source = loc.source.map_or(String::new(), |s| sc.locations[s].id.clone());
        t.row(vec![
            loc.id.clone().into(),
            kind.into(),
            source.into(),
            fmt_pct(mean(i, Kpi::FillRate)).into(),
            fmt_pct(mean(i, Kpi::StockoutRate)).into(),
            fmt_num(mean(i, Kpi::AvgOnHand)).into(),
            fmt_num(mean(i, Kpi::AvgBackorders)).into(),
            fmt_num(mean(i, Kpi::TotalCost)).into(),
            fmt_num(mean(i, Kpi::Bullwhip)).into(),
        ]);
    }
    page.table(&t);
    if locs.len() > MAX_LOCATION_ROWS {
        page.paragraph(&more_rows_note(locs.len() - MAX_LOCATION_ROWS, "locations"), Some("note"));
    }
    page.how_to_read(
        "One row per stocking location, averaged over replications, the lowest fill rate first (locations \
         without customer demand last). A warehouse has no fill rate of its own unless customers buy there \
         directly; its backorders are units it owes to the locations it supplies. A dash means the KPI is \
         undefined there (for example no customer demand).",
    );
}

/// The cost components that add up to `total_cost`, in table order, with their headings.
pub const COST_PARTS: [(Kpi, &str); 5] = [
    (Kpi::HoldingCost, "holding"),
    (Kpi::StockoutCost, "stockout"),
    (Kpi::OrderCost, "ordering"),
    (Kpi::InTransitHoldingCost, "in-transit holding"),
    (Kpi::TransferCost, "transfers"),
];

/// A cost-breakdown row: the scope's name, each component and the total (means per day).
fn cost_row(name: &str, sums: &[Vec<Option<Summary>>], i: usize, parts: &[(Kpi, &str)]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = vec![name.into()];
    cells.extend(parts.iter().map(|&(k, _)| Cell::from(fmt_num(mean_of(sums, i, k)))));
    cells.push(Cell::with_class(fmt_num(mean_of(sums, i, Kpi::TotalCost)), "sig"));
    cells
}

/// Cost per day split into its components, for the network and each location (highest total
/// first, capped), so the parts visibly add up to the total.
fn cost_section(page: &mut Page, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) {
    page.section("Cost breakdown");
    // Scenarios with channels add the shipping of online orders and the removal of stranded
    // marketplace stock, both part of the total.
    let mut parts = COST_PARTS.to_vec();
    if m.channel.active {
        parts.extend([(Kpi::FulfilmentCost, "fulfilment"), (Kpi::RemovalCost, "removal")]);
    }
    let mut head = vec!["scope"];
    head.extend(parts.iter().map(|(_, h)| *h));
    head.push("total");
    let mut align = vec![Align::Num; head.len()];
    align[0] = Align::Left;
    let mut t = Table::new(&head, &align);
    let n_parts = if m.channel.active { "seven" } else { "five" };
    t.caption = Some(format!("Mean cost per day over replications; the {n_parts} components add up to the total."));
    t.row(cost_row("network", sums, r.network_index(), &parts));
    let mut locs = locations_worst_first(r, sums);
    if locs.len() > 1 {
        locs.sort_by(|a, b| mean_of(sums, b.0, Kpi::TotalCost).total_cmp(&mean_of(sums, a.0, Kpi::TotalCost)));
        t.rows.push(Row { cells: vec!["locations, highest total first".into()], class: Some("group") });
        for &(i, l) in locs.iter().take(MAX_LOCATION_ROWS) {
            t.row(cost_row(&m.scenario.locations[l].id, sums, i, &parts));
        }
    }
    page.table(&t);
    if locs.len() > MAX_LOCATION_ROWS {
        page.paragraph(&more_rows_note(locs.len() - MAX_LOCATION_ROWS, "locations"), Some("note"));
    }
    page.how_to_read(
        "Holding is charged on stock on hand at the end of each day, stockout on units backordered at the end of \
         a day or lost, ordering per order placed, in-transit holding on units travelling between locations (at \
         the shipping location's rate), transfers per unit moved by rebalancing. Together they are the total \
         cost per day; a location's row counts what accrues at that location.",
    );
}

/// A table of one kind of scope (SKUs, tiers, segments or regions): the main KPIs per row.
fn scope_table(page: &mut Page, rows: &[(String, usize)], sums: &[Vec<Option<Summary>>], first: &str, caption: &str) {
    let mut t = Table::new(
        &[first, "fill rate", "stockout days", "on hand", "backorders", "units sold / day", "cost / day"],
        &[Align::Left, Align::Num, Align::Num, Align::Num, Align::Num, Align::Num, Align::Num],
    );
    t.caption = Some(caption.into());
    for (name, i) in rows {
        let mean = |k: Kpi| mean_of(sums, *i, k);
        t.row(vec![
            name.clone().into(),
            fmt_pct(mean(Kpi::FillRate)).into(),
            fmt_pct(mean(Kpi::StockoutRate)).into(),
            fmt_num(mean(Kpi::AvgOnHand)).into(),
            fmt_num(mean(Kpi::AvgBackorders)).into(),
            fmt_num(mean(Kpi::UnitsSold)).into(),
            fmt_num(mean(Kpi::TotalCost)).into(),
        ]);
    }
    page.table(&t);
}

/// SKUs (each summed over its locations), then tiers, segments and regions where the scenario
/// has them.
fn groups_section(page: &mut Page, m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>]) {
    let pick = |f: &dyn Fn(Scope) -> Option<String>| -> Vec<(String, usize)> {
        r.scopes.iter().enumerate().filter_map(|(i, &s)| f(s).map(|n| (n, i))).collect()
    };
    let skus = pick(&|s| if let Scope::Sku(k) = s { Some(m.scenario.skus[k].id.clone()) } else { None });
    if skus.len() > 1 {
        page.section("SKUs");
        scope_table(page, &skus, sums, "SKU", "Means over replications; each SKU summed over its locations.");
        page.how_to_read(
            "One row per SKU, its stocking positions summed over every location, the way a location's row sums \
             its SKUs. Fill rate is over all customer demand for the SKU; costs are per day.",
        );
    }
    let channels =
        pick(&|s| if let Scope::Channel(c) = s { Some(m.channel.channels[c].as_str().into()) } else { None });
    if !channels.is_empty() {
        channels_section(page, &channels, sums);
    }
    let tiers = pick(&|s| if let Scope::Tier(t) = s { Some(m.alloc.tiers[t].clone()) } else { None });
    let segments = pick(&|s| if let Scope::Segment(x) = s { Some(m.alloc.segments[x].clone()) } else { None });
    let regions = pick(&|s| if let Scope::Region(x) = s { Some(m.topo.regions[x].clone()) } else { None });
    if tiers.is_empty() && segments.is_empty() && regions.is_empty() {
        return;
    }
    page.section("Tiers, segments and regions");
    let tables = [
        (&tiers, "tier", "Means over replications; each tier summed over its positions."),
        (&segments, "segment", "Means over replications; each ABC×XYZ segment summed over its positions."),
        (&regions, "region", "Means over replications; each region summed over the positions of its locations."),
    ];
    for (rows, first, caption) in tables {
        if !rows.is_empty() {
            scope_table(page, rows, sums, first, caption);
        }
    }
    page.how_to_read(
        "Tiers group the positions of tiered allocation by their label; segments group positions by ABC (share \
         of demand) and XYZ (variability of demand); regions group the positions of the locations with the same \
         region label. Each row sums its positions, like a location row sums its SKUs.",
    );
}

/// Positions shown in the report's table of positions that miss service.
const WORST_POSITIONS: usize = 15;

/// The customer-facing positions with the lowest fill rate (positions.csv has them all).
fn positions_section(page: &mut Page, m: &Model, r: &RunResult) {
    let worst = crate::report::positions::worst(m, r, WORST_POSITIONS);
    if worst.len() < 2 {
        return;
    }
    page.section("Positions that miss service");
    let head = ["location", "SKU", "fill rate", "stockout days", "demand / day", "unsold / day"];
    let mut align = vec![Align::Num; head.len()];
    (align[0], align[1]) = (Align::Left, Align::Left);
    let mut t = Table::new(&head, &align);
    t.caption = Some(format!(
        "The {} customer-facing positions with the lowest mean fill rate, of {}; means over replications.",
        worst.len(),
        m.topo.customer_list.len()
    ));
    for w in &worst {
        t.row(vec![
            w.location.clone().into(),
            w.sku.clone().into(),
            fmt_pct(w.fill_rate).into(),
            fmt_pct(w.stockout_rate).into(),
            fmt_num(w.demand_per_day).into(),
            fmt_num(w.unsold).into(),
        ]);
    }
    page.table(&t);
    page.how_to_read(
        "Where service is lost, position by position: raise these levels first (echelon size finds them). \
         Unsold units are demanded but not sold (lost, or still owed at the end), per day. \
         positions.csv lists every position with the mean and spread of its KPIs.",
    );
}

/// The channels a scenario sells through: service, cancellations, fulfilment and marketplace.
fn channels_section(page: &mut Page, rows: &[(String, usize)], sums: &[Vec<Option<Summary>>]) {
    page.section("Channels");
    let head = [
        "channel",
        "fill rate",
        "lost / day",
        "cancelled",
        "fulfilment / day",
        "delivery days",
        "from stores",
        "net revenue / day",
        "stranded units",
    ];
    let mut align = vec![Align::Num; head.len()];
    align[0] = Align::Left;
    let mut t = Table::new(&head, &align);
    t.caption = Some("Means over replications; each channel sums its customer-facing positions.".into());
    for (name, i) in rows {
        let mean = |k: Kpi| mean_of(sums, *i, k);
        t.row(vec![
            name.clone().into(),
            fmt_pct(mean(Kpi::FillRate)).into(),
            fmt_num(mean(Kpi::LostSales)).into(),
            fmt_pct(mean(Kpi::CancellationRate)).into(),
            fmt_num(mean(Kpi::FulfilmentCost)).into(),
            fmt_num(mean(Kpi::AvgDeliveryDays)).into(),
            fmt_pct(mean(Kpi::ShipFromStoreShare)).into(),
            fmt_num(mean(Kpi::NetRevenue)).into(),
            fmt_num(mean(Kpi::StrandedUnits)).into(),
        ]);
    }
    page.table(&t);
    page.how_to_read(
        "store = walk-in customers (the fill rate of stores that also ship online orders shows what \
         ship-from-store costs them), online = orders shipped from the nodes of an online location, bopis = \
         bought online and picked up in a store, marketplace = sold out of a marketplace pool. Cancelled is the \
         share of demand cancelled; delivery days and the share shipped by stores are over units shipped to \
         online customers; net revenue is price × units sold minus marketplace fees; stranded units are left \
         in marketplace pools at the end of the horizon.",
    );
}

/// The charts, one section per kind, each with how to read it (or a note why none were drawn).
fn figure_sections(page: &mut Page, figures: &[Figure], plots_note: Option<&str>) {
    if let Some(note) = plots_note {
        page.section("Charts");
        page.paragraph(note, Some("note"));
    }
    let section = |page: &mut Page, kind: FigureKind, heading: &str, how: &str| {
        let figs: Vec<&Figure> = figures.iter().filter(|f| f.kind == kind && f.svg.is_some()).collect();
        if figs.is_empty() {
            return;
        }
        page.section(heading);
        page.how_to_read(how);
        for f in figs {
            page.figure(f.svg.as_deref().unwrap_or_default(), &f.caption);
        }
    };
    section(
        page,
        FigureKind::Histogram,
        "Distributions across replications",
        "Each bar counts the replications whose result fell in that interval, so the chart shows the whole \
         spread of outcomes, not just the average. The solid red line is the mean; the dashed lines mark the \
         5th and 95th percentiles: nine replications in ten fall between them. A wide or lopsided histogram \
         means the result depends a lot on luck; a long tail to one side shows how bad the bad cases get.",
    );
    section(
        page,
        FigureKind::Fan,
        "Stock over time",
        "A fan chart shows, for every day, how stock is spread across replications. The line is the median \
         (half of the replications are above it); the dark band holds the middle half of replications \
         (25th to 75th percentile), the light band nine in ten (5th to 95th percentile). Wide bands mean an \
         uncertain day; backorders (in lost-sales scenarios: units lost per day) rising while stock sits near \
         zero mark the periods where service suffers, and shaded windows mark scheduled outages and delays (red) \
         and promotions or demand surges (yellow). Days are the measured days, after any warm-up; the bands are computed from the \
         first replications (up to 200, fewer for large networks; the network chart says how many).",
    );
    section(
        page,
        FigureKind::Service,
        "Service over time",
        "The fill rate of each week (the share of the week's units demanded that were served the same day), \
         for the whole network as a fan (median line, middle half and nine in ten replications in the bands) \
         and for the customer-facing locations with the lowest fill rates as their median line. A dip shows \
         when service suffers and how long it takes to recover; shaded windows mark scheduled outages and \
         delays (red) and promotions or demand surges (yellow).",
    );
    section(
        page,
        FigureKind::Bullwhip,
        "Bullwhip",
        "The first chart divides the variance of the daily orders placed by each echelon (all stores \
         together, then the warehouses that supply them, and so on up) by the variance of daily customer \
         demand: how much the swings grow on their way up the chain. The second divides each location's \
         order variance by the variance of the demand it receives itself (customer demand, or the orders of \
         the locations it supplies), averaged over replications: which location adds the amplification. At \
         the dashed line (1) orders are as steady as demand; above it variability is passed upstream, where \
         suppliers have to buffer it with more stock or capacity. Batching (s, S) orders and forecast-driven \
         order-up-to levels raise it; base-stock policies that order exactly what was sold keep it at 1.",
    );
}

/// Unit of a KPI for the tables.
fn unit_text(k: Kpi, multi_sku: bool) -> String {
    match k.unit() {
        "share" => "share".into(),
        "units" if multi_sku => "units, all SKUs".into(),
        u => u.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape(r#"<b>"A & B's"</b>"#), "&lt;b&gt;&quot;A &amp; B&#39;s&quot;&lt;/b&gt;");
        assert_eq!(escape("plain – ünïcode"), "plain – ünïcode");
    }

    #[test]
    fn page_escapes_scenario_text_and_inlines_svg() {
        let mut p = Page::new("Net <1> & co", None, "line one\nline <two>\n\nsecond paragraph");
        p.section("A & B");
        let mut t = Table::new(&["x", "y"], &[Align::Left, Align::Num]);
        t.row(vec!["<script>".into(), "1.0".into()]);
        t.rows.push(Row { cells: vec!["group".into()], class: Some("group") });
        p.table(&t);
        p.figure(b"<svg width=\"1\" height=\"1\" xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>", "a \"chart\"");
        p.figure(b"not svg", "broken");
        let html = String::from_utf8(p.finish()).unwrap();
        assert!(html.contains("<h1>Net &lt;1&gt; &amp; co</h1>"));
        assert!(html.contains("<p>line one<br>line &lt;two&gt;</p>\n<p>second paragraph</p>"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script"));
        assert!(html.contains("<svg role=\"img\" aria-label=\"a &quot;chart&quot;\" width=\"1\""));
        assert!(html.contains("<td colspan=\"2\">group</td>"));
        assert_eq!(html.matches("<svg").count(), 1);
        assert!(html.contains("(chart not available)"));
    }
}
