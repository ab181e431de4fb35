//! The sizing's outputs: `sizing.json`, `sizing.csv`, the terminal table, `report.html` and the
//! frontier chart.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{FrontierPoint, Measure, SizedPosition, Sizing};
use crate::experiment::{OutputFile, horizon, inventory_label, plot_both};
use crate::report::format::{fmt_level, fmt_num, fmt_pct, fmt_share, fmt_signed, truncate};
use crate::report::html::{Align, Cell, Page, Table};
use crate::report::plot::{FrontierSeries, frontier};
use crate::report::{csv_field, csv_nums};

/// The level a rule's search moves, for tables: `S`, `s (S − s kept)`, ...
fn searched_what(policy: &str) -> &'static str {
    match policy {
        "s_S" => "s (S − s kept)",
        "r_Q" => "r (Q kept)",
        "echelon_base_stock" => "echelon S",
        _ => "S",
    }
}
/// The searched level's symbol, for the page's narrow column (the caption says what is kept).
fn searched_symbol(policy: &str) -> &'static str {
    match policy {
        "s_S" => "s",
        "r_Q" => "r",
        "echelon_base_stock" => "echelon S",
        _ => "S",
    }
}

/// A cell with an interval `[a, b]` that may wrap after its comma (never inside a number: the
/// space before a unit is made non-breaking), so that wide tables fit a page.
fn range_cell(text: String) -> Cell {
    Cell::with_class(text.replace(" %", "\u{a0}%").replace(" pp", "\u{a0}pp"), "range")
}

/// Most positions listed in the tables of `report.html` (all are in `sizing.csv`).
const HTML_ROWS: usize = 300;

/// Safety stocks below this many units count as negative (not rounding noise).
const NEGATIVE: f64 = -1e-9;

impl SizedPosition {
    /// Why a negative safety stock is right, with the numbers: the cycle stock of the rule
    /// already covers the target, so the level can lie below the expected demand. `None` unless
    /// the safety stock is negative.
    pub fn negative_note(&self, target: &super::Target) -> Option<String> {
        if self.safety_stock.is_nan() || self.safety_stock >= NEGATIVE {
            return None;
        }
        let (what, sym, cycle) = match self.policy {
            "s_S" => ("reorder point", "s", format!("each order brings S − s = {} units", fmt_level(self.cycle_stock))),
            "r_Q" => ("reorder point", "r", format!("each order brings Q = {} units", fmt_level(self.cycle_stock))),
            _ => ("level", "S", format!("each order covers {} units of demand", fmt_level(self.cycle_stock))),
        };
        let zero = if self.zero_safety_statistic.is_nan() {
            String::new()
        } else {
            format!(
                " — with zero safety stock ({sym} at the expected demand) it reaches {} against the target {}",
                fmt_pct(self.zero_safety_statistic),
                fmt_pct(target.value)
            )
        };
        Some(format!(
            "{}/{}: safety stock {} units ({} at cost): the {what} {sym} = {} lies below the expected demand of {} \
             units over the {}-day protection period. This is not an error: {cycle}, and this cycle stock alone \
             already covers the target{zero}, so the search lowers {sym} until the target is just met.",
            self.location,
            self.sku,
            fmt_level(self.safety_stock),
            fmt_level(self.safety_stock * self.unit_cost),
            fmt_level(self.level),
            fmt_level(self.expected_demand),
            fmt_level(self.protection_days),
        ))
    }
}

impl Sizing {
    /// The notes on negative safety stocks, one per position that has one.
    pub fn negative_notes(&self) -> Vec<String> {
        self.positions.iter().filter_map(|p| p.negative_note(&self.target)).collect()
    }

    /// The `sizing.json` document.
    pub fn json(&self) -> Vec<u8> {
        let t = &self.target;
        let positions: Vec<Value> = self
            .positions
            .iter()
            .map(|p| {
                json!({
                    "location": p.location,
                    "sku": p.sku,
                    "policy": p.policy,
                    "level": p.level,
                    "order_up_to": p.order_up_to,
                    "safety_stock": p.safety_stock,
                    "cycle_stock": p.cycle_stock,
                    "zero_safety_statistic": p.zero_safety_statistic,
                    "note": p.negative_note(t),
                    "expected_demand": p.expected_demand,
                    "protection_days": p.protection_days,
                    "achieved": p.achieved,
                    "achieved_statistic": p.achieved_statistic,
                    "met": p.met,
                    "reachable": p.reachable,
                    "textbook_level": p.textbook_level,
                    "textbook_safety_stock": p.textbook_safety_stock,
                    "textbook_achieved": p.textbook_achieved,
                    "textbook_statistic": p.textbook_statistic,
                    "unit_cost": p.unit_cost,
                    "avg_on_hand": p.avg_on_hand,
                    "avg_inventory_value": p.avg_inventory_value,
                })
            })
            .collect();
        let frontier: Vec<Value> = self
            .frontier
            .iter()
            .map(|f| {
                json!({
                    "label": f.label,
                    "scale": if f.scale.is_nan() { Value::Null } else { json!(f.scale) },
                    "fill_rate": f.fill_rate,
                    self.inventory.name(): f.inventory,
                })
            })
            .collect();
        let doc = json!({
            "scenario": self.scenario,
            "replications": self.replications,
            "seed": self.seed,
            "days": self.days,
            "warmup_days": self.warmup,
            "runs": self.runs,
            "target": {
                "kpi": t.measure.name(),
                "operator": t.operator(),
                "value": t.value,
                "confidence": t.confidence,
                "statistic": t.statistic_name(),
                "definition": t.definition(),
            },
            "positions": positions,
            "inventory_investment": {
                "sized_positions": self.inventory_investment(),
                "network": self.network_inventory_value,
                "safety_stock": self.safety_stock_value(),
                "textbook_sized_positions": self.textbook_inventory_investment(),
                "textbook_network": self.textbook_network_inventory_value,
                "textbook_safety_stock": self.textbook_safety_stock_value(),
            },
            "frontier": frontier,
        });
        let mut out = serde_json::to_vec_pretty(&doc).expect("serialising to memory cannot fail");
        out.push(b'\n');
        out
    }

    /// The `sizing.csv` text: one row per sized position.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "location,sku,policy,level,order_up_to,safety_stock,expected_demand,protection_days,\
             achieved_mean,achieved_se,achieved_p5,achieved_p95,achieved_statistic,met,reachable,\
             textbook_level,textbook_safety_stock,textbook_achieved_mean,textbook_statistic,\
             unit_cost,avg_on_hand,avg_inventory_value,target\n",
        );
        // Every row says what it was sized for, so a copied CSV cannot be mistaken for another.
        let target = csv_field(&self.target.label());
        for p in &self.positions {
            let _ = write!(out, "{},{},{}", csv_field(&p.location), csv_field(&p.sku), p.policy);
            let a = p.achieved.as_ref().map_or([f64::NAN; 4], |s| [s.mean, s.se, s.p5, s.p95]);
            let nums = [p.level, p.order_up_to, p.safety_stock, p.expected_demand, p.protection_days];
            csv_nums(&mut out, nums.iter().chain(&a).chain([&p.achieved_statistic]).copied());
            let _ = write!(out, ",{},{}", p.met, p.reachable);
            let tb = p.textbook_achieved.as_ref().map_or(f64::NAN, |s| s.mean);
            csv_nums(
                &mut out,
                [
                    p.textbook_level,
                    p.textbook_safety_stock,
                    tb,
                    p.textbook_statistic,
                    p.unit_cost,
                    p.avg_on_hand,
                    p.avg_inventory_value,
                ],
            );
            let _ = writeln!(out, ",{target}");
        }
        out
    }

    /// The terminal table: per position the level found, its safety stock, what it achieves, and
    /// the textbook level with what *it* achieves; then the inventory investment.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} — sizing {} customer-facing position{} for {}\n  {}; {} simulation runs on common random numbers",
            self.scenario,
            self.positions.len(),
            if self.positions.len() == 1 { "" } else { "s" },
            self.target.label(),
            horizon(self.replications, self.days, self.warmup, self.seed),
            self.runs
        );
        // Every measure is a share.
        let fmt_m = fmt_pct;
        let stat = self.target.statistic_name();
        let _ = writeln!(
            s,
            "  {:<24} {:<14} {:>9} {:>9} {:>13}   {:<22} {:>9} {:>9}",
            "", "searched", "", "safety", "achieved", "", "textbook", "textbook"
        );
        let _ = writeln!(
            s,
            "  {:<24} {:<14} {:>9} {:>9} {:>13}   {:<22} {:>9} {:>9}",
            "position",
            "level",
            "level",
            "stock",
            format!("({stat})"),
            "90 % of replications",
            "level",
            "achieves",
        );
        const MAX_ROWS: usize = 40;
        for p in self.positions.iter().take(MAX_ROWS) {
            let what = searched_what(p.policy);
            let range = p.achieved.as_ref().map_or("–".into(), |a| format!("[{}, {}]", fmt_m(a.p5), fmt_m(a.p95)));
            let mark = if !p.reachable {
                "  unreachable: more stock here stops helping"
            } else if !p.met {
                "  misses the target"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  {:<24} {:<14} {:>9} {:>9} {:>13}   {:<22} {:>9} {:>9}{mark}",
                truncate(&format!("{}/{}", p.location, p.sku), 24),
                what,
                fmt_level(p.level),
                fmt_num(p.safety_stock),
                fmt_m(p.achieved_statistic),
                range,
                fmt_level(p.textbook_level),
                fmt_m(p.textbook_statistic),
            );
        }
        if self.positions.len() > MAX_ROWS {
            let _ = writeln!(s, "  ... {} more positions in sizing.csv", self.positions.len() - MAX_ROWS);
        }
        self.table_notes(&mut s);
        let _ = writeln!(
            s,
            "\n  inventory investment at cost (average on hand × unit cost of the sized positions): {} \
             (textbook levels: {})",
            fmt_num(self.inventory_investment()),
            fmt_num(self.textbook_inventory_investment())
        );
        let why = if self.safety_stock_value() < NEGATIVE {
            " (negative: the cycle stock covers the target, see the notes)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  safety stock at cost: {}{why} (textbook: {}); whole network on hand at cost: {}",
            fmt_num(self.safety_stock_value()),
            fmt_num(self.textbook_safety_stock_value()),
            fmt_num(self.network_inventory_value)
        );
        s
    }

    /// The terminal's notes on negative safety stocks (at most five; the rest in report.html).
    fn table_notes(&self, s: &mut String) {
        let notes = self.negative_notes();
        const MAX_NOTES: usize = 5;
        for n in notes.iter().take(MAX_NOTES) {
            let _ = writeln!(s, "\n  note: {n}");
        }
        if notes.len() > MAX_NOTES {
            let _ = writeln!(
                s,
                "  ... {} more positions with negative safety stock in report.html",
                notes.len() - MAX_NOTES
            );
        }
    }

    /// The `report.html` page: the target and the search, the level per position next to the
    /// textbook level, the inventory investment and the frontier chart (its SVG text; `None`:
    /// not drawn).
    pub fn html(&self, frontier_svg: Option<&[u8]>) -> Vec<u8> {
        let subtitle = format!("Safety-stock sizing for {}", self.target.label());
        let mut page = Page::new(&self.scenario, Some(&subtitle), &self.description);
        page.sources("sizing.json and sizing.csv");
        self.html_facts(&mut page);
        self.html_levels(&mut page);
        self.html_investment(&mut page);
        self.html_frontier(&mut page, frontier_svg);
        page.finish()
    }

    /// The page's head: target, confidence, runs and search; a warning for missed targets.
    fn html_facts(&self, page: &mut Page) {
        let t = &self.target;
        let n = self.positions.len();
        let confidence = match t.confidence {
            None => "none: the mean across replications must meet the target".to_string(),
            Some(c) => format!(
                "{} % of replications must meet the target (the {} across replications)",
                fmt_share(100.0 * c),
                t.statistic_name()
            ),
        };
        let searched = if n == 1 {
            "the one customer-facing position, grown from its textbook level until the target is met, then \
             bisected"
                .to_string()
        } else {
            format!(
                "all {n} customer-facing positions together, each grown from its textbook level until the target \
                 is met, then bisected"
            )
        };
        page.facts(&[
            ("Target", t.label()),
            ("Measured as", t.definition()),
            ("Confidence", confidence),
            ("Every run", horizon(self.replications, self.days, self.warmup, self.seed)),
            (
                "Search",
                format!(
                    "{} simulation runs on common random numbers: {searched}; the final levels checked in one \
                     more run; upstream positions keep their levels",
                    self.runs
                ),
            ),
        ]);
        let missed = self.positions.iter().filter(|p| !p.met).count();
        if missed > 0 {
            page.paragraph(
                &format!(
                    "{missed} of {n} positions do not meet the target at the level found: more stock there stops \
                     helping (its source runs short) or the search ran out of runs. Their rows are marked below."
                ),
                Some("warn"),
            );
        }
    }

    /// The table of levels by position next to the textbook levels, and how to read it.
    fn html_levels(&self, page: &mut Page) {
        let t = &self.target;
        let n = self.positions.len();
        page.section("Levels by position");
        let stat = t.statistic_name();
        let mut head = vec![
            "location".to_string(),
            "SKU".into(),
            "level".into(),
            "expected demand".into(),
            "safety stock".into(),
            "achieved (mean)".into(),
            "95 % CI".into(),
        ];
        if t.confidence.is_some() {
            head.push(format!("achieved ({stat})"));
        }
        head.push("target".into());
        let align: Vec<Align> = head
            .iter()
            .enumerate()
            .map(|(i, _)| if i < 2 || i == head.len() - 1 { Align::Left } else { Align::Num })
            .collect();
        let mut table = Table::new(&head.iter().map(String::as_str).collect::<Vec<_>>(), &align);
        table.caption = Some(
            "Levels, expected demand and safety stock in units; expected demand is over the protection period \
             (lead time + review period − 1 day, see below). The level is the searched one: S of base-stock, s of (s, \
             S) with S − s kept, r of (r, Q) with Q kept."
                .into(),
        );
        for p in self.positions.iter().take(HTML_ROWS) {
            table.row(self.level_row(p));
        }
        page.table(&table);
        self.html_textbook(page);
        if n > HTML_ROWS {
            page.paragraph(&format!("... {} more positions in sizing.csv.", n - HTML_ROWS), Some("note"));
        }
        self.html_negative(page);
        page.how_to_read(&format!(
            "One row per customer-facing position (location and SKU). The level is the lowest value of the \
             searched parameter (S of base-stock, the reorder point s or r of (s, S) and (r, Q), whose S − s or Q \
             is kept) at which the simulation meets the target; \"achieved\" is what the position then reaches, \
             with the 95 % confidence interval of its mean over {} replications. Safety stock is the level minus \
             the expected demand over the protection period — the lead time plus the review period (one day \
             less, because an order placed on day t already serves day t + lead time): the stock held beyond \
             what is expected to sell before the next order can arrive.\n\n\
             The textbook level is the normal approximation for the same target: expected demand plus z \
             standard deviations of demand over the protection period (for a fill rate, z from the standard \
             loss-function formula; for cycle service or a stockout bound, the normal quantile), including the \
             lead-time variance term; it speaks about the mean only and ignores a confidence requirement. \
             \"Textbook achieves\" is what the simulation measures with every position at its textbook level, \
             and \"level − textbook\" is how much the simulation adds (positive: the formula under-protects) \
             or saves (negative: it over-protects).\n\n\
             Where they differ, and why: Poisson and other low-volume demand comes in whole units and is skewed \
             to the right, which the symmetric normal curve misjudges; intermittent demand (many days without a \
             sale) and lumpy demand (few, large orders) have far heavier tails, so the formula usually sets too \
             little; stochastic lead times make orders cross and the lead-time demand non-normal; (s, S) and (r, \
             Q) rules undershoot the reorder point, which the formula ignores; and a warehouse that runs short \
             lengthens the effective lead time, which no single-stage formula sees. Close agreement is expected \
             only for high-volume, near-normal demand with fixed lead times.",
            self.replications
        ));
    }

    /// The levels found next to the textbook levels: a table of its own, so that this and the
    /// levels table both fit a printed page.
    fn html_textbook(&self, page: &mut Page) {
        let stat = self.target.statistic_name();
        let mut tb = Table::new(
            &[
                "location",
                "SKU",
                "level",
                "textbook level",
                "level − textbook",
                &format!("achieved ({stat})"),
                &format!("textbook achieves ({stat})"),
            ],
            &[Align::Left, Align::Left, Align::Num, Align::Num, Align::Num, Align::Num, Align::Num],
        );
        tb.caption =
            Some("The level found next to the textbook (normal-approximation) level for the same target.".into());
        for p in self.positions.iter().take(HTML_ROWS) {
            tb.row(vec![
                p.location.clone().into(),
                p.sku.clone().into(),
                fmt_level(p.level).into(),
                fmt_level(p.textbook_level).into(),
                fmt_signed(p.level - p.textbook_level).into(),
                fmt_pct(p.achieved_statistic).into(),
                fmt_pct(p.textbook_statistic).into(),
            ]);
        }
        page.table(&tb);
    }

    /// Why negative safety stocks are right, position by position (at most 20; the rest are in
    /// `sizing.json`).
    fn html_negative(&self, page: &mut Page) {
        let notes = self.negative_notes();
        if notes.is_empty() {
            return;
        }
        page.subsection("Negative safety stock");
        page.paragraph(
            "A negative safety stock means the level lies below the demand expected before the next order can \
             arrive. With (s, S) and (r, Q) the stock also holds the cycle stock — the quantity each order brings \
             — and for a modest target that alone can give enough service: the fill rate counts every unit sold \
             over the whole cycle, and only the last days before an order arrives are at risk.",
            None,
        );
        const MAX_NOTES: usize = 20;
        for n in notes.iter().take(MAX_NOTES) {
            page.paragraph(n, Some("note"));
        }
        if notes.len() > MAX_NOTES {
            page.paragraph(&format!("... {} more in sizing.json (\"note\").", notes.len() - MAX_NOTES), Some("note"));
        }
    }

    /// One row of the levels table.
    fn level_row(&self, p: &SizedPosition) -> Vec<Cell> {
        let (mean, ci) = p.achieved.as_ref().map_or(("–".to_string(), "–".to_string()), |a| {
            (fmt_pct(a.mean), format!("[{}, {}]", fmt_pct(a.ci95[0]), fmt_pct(a.ci95[1])))
        });
        let mut row: Vec<Cell> = vec![
            p.location.clone().into(),
            p.sku.clone().into(),
            format!("{} = {}", searched_symbol(p.policy), fmt_level(p.level)).into(),
            fmt_num(p.expected_demand).into(),
            fmt_num(p.safety_stock).into(),
            mean.into(),
            range_cell(ci),
        ];
        if self.target.confidence.is_some() {
            row.push(fmt_pct(p.achieved_statistic).into());
        }
        let status = if !p.reachable {
            Cell::with_class("unreachable: more stock here stops helping", "warn")
        } else if !p.met {
            Cell::with_class("missed", "warn")
        } else if p.safety_stock < NEGATIVE {
            "met (cycle stock covers it)".into()
        } else {
            "met".into()
        };
        row.push(status);
        row
    }

    /// The inventory investment at the sized and at the textbook levels.
    fn html_investment(&self, page: &mut Page) {
        page.section("Inventory investment");
        let mut inv = Table::new(
            &["at cost (unit cost × units)", "sized levels", "textbook levels", "sized − textbook"],
            &[Align::Left, Align::Num, Align::Num, Align::Num],
        );
        for (what, a, b) in [
            (
                "average inventory of the sized positions",
                self.inventory_investment(),
                self.textbook_inventory_investment(),
            ),
            ("safety stock of the sized positions", self.safety_stock_value(), self.textbook_safety_stock_value()),
            (
                "average inventory of the whole network",
                self.network_inventory_value,
                self.textbook_network_inventory_value,
            ),
        ] {
            inv.row(vec![what.into(), fmt_num(a).into(), fmt_num(b).into(), fmt_signed(a - b).into()]);
        }
        page.table(&inv);
        page.how_to_read(
            "The inventory investment is the average stock on hand valued at unit cost, averaged over the \
             measured days and the replications, with every sized position at its level found (\"sized \
             levels\") or at its textbook level. Safety stock at cost is the planned buffer (safety stock × \
             unit cost) and can be negative where a level lies below the expected demand. The whole network \
             includes the warehouses, whose levels were not changed but whose stock reacts to the stores' \
             orders.",
        );
    }

    /// The frontier chart: service against stock.
    fn html_frontier(&self, page: &mut Page, frontier_svg: Option<&[u8]>) {
        let t = &self.target;
        page.section("Service against stock");
        page.how_to_read(&format!(
            "Each point is one simulation run: the connected points scale every sized safety stock together by \
             0, 0.5, 1, 1.5 and 2 (× 1 is the result above; each point is labelled with its multiple), the \
             separate point has every position at its textbook level. Across: the network's {}; up: the network \
             fill rate, with a vertical bar for its 95 % confidence interval.{} The points are joined in order \
             of stock: where the sized safety stocks are negative, scaling them up lowers the stock, so × 2 lies \
             left of × 0. The curve flattens as it rises: each further point of fill \
             rate costs more stock than the one before. The network fill rate pools all customer-facing \
             positions, so it can meet a fill-rate target while single positions miss it, or the other way \
             round.",
            inventory_label(self.inventory),
            if t.measure == Measure::FillRate { " The dashed line is the target." } else { "" }
        ));
        page.figure(
            frontier_svg.unwrap_or_default(),
            "Network fill rate against stock with the sized safety stocks scaled, and at the textbook levels.",
        );
    }

    /// Every output file: `sizing.json`, `sizing.csv`, `frontier.png`, `frontier.svg` and
    /// `report.html`; plus warnings for charts that could not be drawn.
    pub fn files(&self) -> (Vec<OutputFile>, Vec<String>) {
        let mut files = vec![OutputFile::new("sizing.json", self.json()), OutputFile::new("sizing.csv", self.csv())];
        let mut warnings = Vec::new();
        let xy = |f: &FrontierPoint| {
            let x = f.inventory.as_ref().map_or(f64::NAN, |s| s.mean);
            let (y, ci) =
                f.fill_rate.as_ref().map_or((f64::NAN, (f64::NAN, f64::NAN)), |s| (s.mean, (s.ci95[0], s.ci95[1])));
            ((x, y), ci)
        };
        let scaled: Vec<&FrontierPoint> = self.frontier.iter().filter(|f| !f.scale.is_nan()).collect();
        let textbook: Vec<_> = self.frontier.iter().filter(|f| f.scale.is_nan()).map(xy).collect();
        let series = vec![
            FrontierSeries {
                label: "sized safety stock × 0, 0.5, 1, 1.5, 2".into(),
                points: scaled.iter().map(|f| xy(f).0).collect(),
                ci: Some(scaled.iter().map(|f| xy(f).1).collect()),
                // The chart joins the points in order of stock; the labels say which is which.
                labels: scaled.iter().map(|f| format!("×{}", f.scale)).collect(),
            },
            FrontierSeries {
                label: "textbook levels".into(),
                points: textbook.iter().map(|p| p.0).collect(),
                ci: Some(textbook.iter().map(|p| p.1).collect()),
                labels: vec!["textbook".into(); textbook.len()],
            },
        ];
        let target = (self.target.measure == Measure::FillRate)
            .then(|| (self.target.value, format!("target {}", fmt_pct(self.target.value))));
        let title = format!("{} — fill rate against stock", self.scenario);
        let svg = plot_both(&mut files, &mut warnings, "frontier", |fmt| {
            frontier(&title, inventory_label(self.inventory), "network fill rate", &series, target.clone(), fmt)
        });
        files.push(OutputFile::new("report.html", self.html(svg.as_deref())));
        (files, warnings)
    }
}
