//! `compare`: variants of one network — strategies × stress tests of a file, or several files —
//! run on common random numbers and compared with a baseline replication by replication.
//!
//! Every variant runs with the baseline's seed and replication count, so replication i of each
//! variant draws the same demand, lead times and disruptions (for every entity whose name they
//! share). The paired difference `variant − baseline` of replication i then measures the change
//! alone, and its standard error is far below that of two independent runs.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{ExperimentError, OutputFile, Settings, plot_both, scope_series, single_sku};
use crate::kpi::Kpi;
use crate::model::Model;

use crate::report::format::{fmt_diff, fmt_horizon, fmt_kpi, truncate, wrap};
use crate::report::html::{Align, Cell, Page, Row, Table};
use crate::report::plot::box_plots;
use crate::report::summary::kpi_object;
use crate::report::table::HEADLINE;
use crate::report::table::TERMINAL_WIDTH;
use crate::report::{csv_field, csv_nums};
use crate::runner::{self, Scope};
use crate::scenario::{Patch, Scenario, Variant};
use crate::stats::{Summary, paired};

/// A scenario variant and the name it is reported under.
#[derive(Clone, Debug)]
pub struct NamedScenario {
    /// Name in reports (`strategy`, `strategy+stress`, or a file stem).
    pub name: String,
    /// File it was loaded from, as given.
    pub file: String,
    /// The validated variant.
    pub scenario: Scenario,
}

/// Loads the variants of one file: each strategy (all of the file's, or `strategies` in that
/// order; the first is the baseline) × (no stress + each of `stresses`). A file without
/// strategies is one base variant named after the file, which needs stress tests to compare with.
pub fn strategy_variants(
    path: &Path,
    strategies: &[String],
    stresses: &[String],
    patches: &[Patch],
) -> Result<Vec<NamedScenario>, ExperimentError> {
    let base = Scenario::load_variant(path, &Variant { patches: patches.to_vec(), ..Variant::default() })?;
    duplicates("--strategies", strategies)?;
    duplicates("--stress", stresses)?;
    let names: Vec<Option<String>> = if !strategies.is_empty() {
        strategies.iter().cloned().map(Some).collect()
    } else if !base.strategies.is_empty() {
        base.strategies.iter().map(|s| Some(s.name.clone())).collect()
    } else if !stresses.is_empty() {
        vec![None]
    } else {
        return Err(ExperimentError::input(
            format!("'{}' defines no strategies, so one file gives nothing to compare", path.display()),
            "pass several files (echelon compare a.toml b.toml), add [strategies.<name>] tables to the file, \
             or compare with stress tests (--stress NAME)",
        ));
    };
    let file = path.display().to_string();
    let mut out = Vec::new();
    for strategy in &names {
        for stress in std::iter::once(None).chain(stresses.iter().map(Some)) {
            let v = Variant { strategy: strategy.clone(), stress: stress.cloned(), patches: patches.to_vec() };
            let scenario = Scenario::load_variant(path, &v)?;
            let base_name = strategy.clone().unwrap_or_else(|| stem(path));
            let name = match stress {
                Some(s) => format!("{base_name}+{s}"),
                None => base_name,
            };
            out.push(NamedScenario { name, file: file.clone(), scenario });
        }
    }
    if out.len() < 2 {
        return Err(ExperimentError::input(
            format!("only one variant ('{}'): nothing to compare", out[0].name),
            "name at least two strategies (--strategies a,b), add stress tests (--stress NAME), \
             or pass several files",
        ));
    }
    Ok(out)
}

/// Loads several files as variants of one network, each × (no stress + each of `stresses`); a
/// variant is named by its file stem (the path where stems repeat); the first file is the
/// baseline.
pub fn file_variants(
    paths: &[&Path],
    stresses: &[String],
    patches: &[Patch],
) -> Result<Vec<NamedScenario>, ExperimentError> {
    duplicates("--stress", stresses)?;
    let stems: Vec<String> = paths.iter().map(|p| stem(p)).collect();
    let mut out = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let clash = stems.iter().filter(|s| **s == stems[i]).count() > 1;
        let base_name = if clash { path.display().to_string() } else { stems[i].clone() };
        for stress in std::iter::once(None).chain(stresses.iter().map(Some)) {
            let v = Variant { strategy: None, stress: stress.cloned(), patches: patches.to_vec() };
            let scenario = Scenario::load_variant(path, &v)?;
            let name = match stress {
                Some(s) => format!("{base_name}+{s}"),
                None => base_name.clone(),
            };
            out.push(NamedScenario { name, file: path.display().to_string(), scenario });
        }
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(d) = out.iter().find(|v| !seen.insert(v.name.clone())) {
        return Err(ExperimentError::input(
            format!("the file '{}' is given twice", d.file),
            "give each variant's file once",
        ));
    }
    if out.len() < 2 {
        return Err(ExperimentError::input(
            "only one variant: nothing to compare",
            "pass several files, or compare with stress tests (--stress NAME)",
        ));
    }
    Ok(out)
}

fn duplicates(option: &str, names: &[String]) -> Result<(), ExperimentError> {
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(ExperimentError::input(format!("{option} has an empty name"), "write e.g. a,b (no spaces)"));
        }
        if names[..i].contains(n) {
            return Err(ExperimentError::input(format!("{option} names '{n}' twice"), "name each once"));
        }
    }
    Ok(())
}

fn stem(p: &Path) -> String {
    p.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// The KPIs of one variant's network across replications.
#[derive(Clone, Debug)]
pub struct VariantResult {
    /// Variant name.
    pub name: String,
    /// File it came from.
    pub file: String,
    /// Strategy applied, if any.
    pub strategy: Option<String>,
    /// Stress test applied, if any.
    pub stress: Option<String>,
    /// What the strategy and the stress test change, from their `description`s ("" if none).
    pub description: String,
    /// Lost-sales mode (lost sales are shown only then).
    pub lost_sales: bool,
    /// Per-replication network values, `[kpi][replication]` in [`Kpi::ALL`] order.
    pub series: Vec<Vec<f64>>,
    /// Summary of each KPI (`None` = undefined in every replication).
    pub summaries: Vec<Option<Summary>>,
}

/// The paired difference of one KPI between a variant and the baseline.
#[derive(Clone, Debug)]
pub struct PairedDiff {
    /// Index of the variant in [`Comparison::variants`].
    pub variant: usize,
    /// The KPI.
    pub kpi: Kpi,
    /// Summary of `variant − baseline` over replications where both are defined.
    pub diff: Summary,
    /// Share of those replications in which the variant's value is greater.
    pub share_greater: f64,
}

impl PairedDiff {
    /// Whether the 95 % confidence interval of the mean difference excludes zero.
    pub fn significant(&self) -> bool {
        self.diff.ci95[0] > 0.0 || self.diff.ci95[1] < 0.0
    }
}

/// Result of [`compare`].
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Display name of the baseline's scenario.
    pub scenario: String,
    /// The baseline scenario's `description`.
    pub description: String,
    /// Variants in the order given.
    pub variants: Vec<VariantResult>,
    /// Index of the baseline variant.
    pub baseline: usize,
    /// Replications of every variant.
    pub replications: usize,
    /// Seed of every variant.
    pub seed: u64,
    /// Measured days of the baseline.
    pub days: usize,
    /// Warm-up days of the baseline.
    pub warmup: usize,
    /// Whether the baseline has a single SKU.
    pub single_sku: bool,
    /// Paired differences of every other variant against the baseline, variant-major, KPIs in
    /// [`Kpi::ALL`] order (KPIs undefined in either are left out).
    pub paired: Vec<PairedDiff>,
}

/// Runs every variant with the baseline's seed and replications (or `settings`' overrides) and
/// computes paired differences against `variants[baseline]`.
pub fn compare(
    variants: Vec<NamedScenario>,
    baseline: usize,
    settings: &Settings,
) -> Result<Comparison, ExperimentError> {
    if variants.len() < 2 {
        return Err(ExperimentError::input("compare needs at least two variants", "pass several files or strategies"));
    }
    let Some(base) = variants.get(baseline) else {
        return Err(ExperimentError::input(format!("no variant number {baseline}"), "pick one of the variants"));
    };
    // One seed and replication count for all: that is what makes the random numbers common.
    let opts = settings.options(&base.scenario);
    let scenario = if base.scenario.name.is_empty() { stem(Path::new(&base.file)) } else { base.scenario.name.clone() };
    let description = base.scenario.description.clone();
    let (days, warmup) = (base.scenario.simulation.days, base.scenario.simulation.warmup_days);
    let single = single_sku(&base.scenario);
    let progress = settings.progress(variants.len() * opts.replications, &variants[0].name);
    let mut results = Vec::with_capacity(variants.len());
    for v in variants {
        progress.set_label(&format!("compare · {}", v.name));
        let strategy = v.scenario.strategy.clone();
        let stress = v.scenario.stress.clone();
        let lost_sales = v.scenario.simulation.unmet_demand == crate::scenario::UnmetDemand::LostSales;
        let description = variant_description(&v.scenario);
        let model = Model::compile_arc(Arc::new(v.scenario));
        let r = runner::run(&model, &opts, &progress);
        let series = scope_series(&r, Scope::Network);
        let summaries = series.iter().map(|s| Summary::of(s)).collect();
        results.push(VariantResult {
            name: v.name,
            file: v.file,
            strategy,
            stress,
            description,
            lost_sales,
            series,
            summaries,
        });
    }
    progress.finish();
    let mut diffs = Vec::new();
    for (i, v) in results.iter().enumerate() {
        if i == baseline {
            continue;
        }
        for (j, &k) in Kpi::ALL.iter().enumerate() {
            if let Some((diff, share_greater)) = paired(&v.series[j], &results[baseline].series[j]) {
                diffs.push(PairedDiff { variant: i, kpi: k, diff, share_greater });
            }
        }
    }
    Ok(Comparison {
        scenario,
        description,
        variants: results,
        baseline,
        replications: opts.replications,
        seed: opts.seed,
        days,
        warmup,
        single_sku: single,
        paired: diffs,
    })
}

/// What a variant's strategy and stress test change, from their descriptions in the file.
fn variant_description(sc: &Scenario) -> String {
    let find = |list: &[crate::scenario::Named], name: &Option<String>| {
        name.as_ref().and_then(|n| list.iter().find(|x| &x.name == n)).map(|x| x.description.trim().to_string())
    };
    [find(&sc.strategies, &sc.strategy), find(&sc.stresses, &sc.stress)]
        .into_iter()
        .flatten()
        .filter(|d| !d.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// KPIs drawn as box plots, one box per variant.
const BOX_KPIS: [(Kpi, &str); 3] =
    [(Kpi::FillRate, "fill rate"), (Kpi::TotalCost, "total cost per day"), (Kpi::AvgOnHand, "average on hand")];

impl Comparison {
    /// Index of a variant by name.
    pub fn variant_index(&self, name: &str) -> Option<usize> {
        self.variants.iter().position(|v| v.name == name)
    }

    /// The paired difference of a variant's KPI against the baseline.
    pub fn diff(&self, variant: usize, kpi: Kpi) -> Option<&PairedDiff> {
        self.paired.iter().find(|d| d.variant == variant && d.kpi == kpi)
    }

    /// The `comparison.json` document.
    pub fn json(&self) -> Vec<u8> {
        let base = &self.variants[self.baseline].name;
        let mut kpis = Map::new();
        for v in &self.variants {
            kpis.insert(v.name.clone(), kpi_object(&v.summaries));
        }
        let variants: Vec<Value> = self
            .variants
            .iter()
            .map(|v| json!({"name": v.name, "file": v.file, "strategy": v.strategy, "stress": v.stress}))
            .collect();
        let paired: Vec<Value> = self
            .paired
            .iter()
            .map(|d| {
                json!({
                    "variant": self.variants[d.variant].name,
                    "baseline": base,
                    "kpi": d.kpi.name(),
                    "mean": d.diff.mean,
                    "se": d.diff.se,
                    "ci95": d.diff.ci95,
                    "share_greater": d.share_greater,
                    "n": d.diff.n,
                })
            })
            .collect();
        let doc = json!({
            "scenario": self.scenario,
            "variants": self.variants.iter().map(|v| v.name.clone()).collect::<Vec<_>>(),
            "baseline": base,
            "replications": self.replications,
            "seed": self.seed,
            "days": self.days,
            "warmup_days": self.warmup,
            "variant_sources": variants,
            "kpis": kpis,
            "paired": paired,
        });
        let mut out = serde_json::to_vec_pretty(&doc).expect("serialising to memory cannot fail");
        out.push(b'\n');
        out
    }

    /// The `comparison.csv` text: one row per variant and KPI with its summary and, for the
    /// variants other than the baseline, the paired difference.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "variant,kpi,mean,sd,se,ci95_lo,ci95_hi,p5,p50,p95,min,max,n,\
             baseline,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi,share_greater\n",
        );
        let base = csv_field(&self.variants[self.baseline].name);
        for (i, v) in self.variants.iter().enumerate() {
            for (j, &k) in Kpi::ALL.iter().enumerate() {
                out.push_str(&csv_field(&v.name));
                out.push(',');
                out.push_str(k.name());
                let s = v.summaries[j].as_ref();
                let nums = s.map_or([f64::NAN; 11], |s| {
                    [s.mean, s.sd, s.se, s.ci95[0], s.ci95[1], s.p5, s.p50, s.p95, s.min, s.max, s.n as f64]
                });
                csv_nums(&mut out, nums);
                out.push(',');
                if i != self.baseline {
                    out.push_str(&base);
                }
                let d = self.diff(i, k);
                let dn = d.map_or([f64::NAN; 5], |d| {
                    [d.diff.mean, d.diff.se, d.diff.ci95[0], d.diff.ci95[1], d.share_greater]
                });
                csv_nums(&mut out, dn);
                out.push('\n');
            }
        }
        out
    }

    /// The terminal table: per headline KPI, each variant's mean and 90 % range of replications,
    /// and its paired difference to the baseline with a 95 % CI; `*` marks differences whose CI
    /// excludes zero.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let base = &self.variants[self.baseline].name;
        let title = format!(
            "{} — {} variants on common random numbers, {}; baseline: {base}",
            self.scenario,
            self.variants.len(),
            fmt_horizon(self.replications, self.days, self.warmup, self.seed)
        );
        let _ = writeln!(s, "{}", wrap(&title, TERMINAL_WIDTH, "  "));
        let w = self.variants.iter().map(|v| v.name.chars().count()).max().unwrap_or(8).clamp(8, 28) + 2;
        // A row is name, mean and range, then the paired difference; where that is wider than
        // the terminal, the difference goes on a second line under the range.
        let left = 4 + w + 1 + 8 + 3 + 22;
        let (wide, pad) = (left + 1 + 12 + 2 + 24 + 7 > TERMINAL_WIDTH, " ".repeat(4 + w + 1));
        let head = format!("  {:<w$} {:>10}   {:<22}", "", "mean", "90 % of replications");
        let diff_head = format!("{:>11}   {:<24} greater in", "vs baseline", "95 % CI");
        if wide {
            let _ = writeln!(s, "{}\n{pad}{}", head.trim_end(), diff_head);
        } else {
            let _ = writeln!(s, "{head} {diff_head}");
        }
        for (k, label) in self.headline_kpis() {
            let _ = writeln!(s, "  {label}");
            for (i, v) in self.variants.iter().enumerate() {
                let name = truncate(&v.name, w);
                let Some(x) = &v.summaries[k as usize] else {
                    let _ = writeln!(s, "    {name:<w$} {:>8}", "–");
                    continue;
                };
                let range = format!("[{}, {}]", fmt_kpi(k, x.p5), fmt_kpi(k, x.p95));
                let row = format!("    {name:<w$} {:>8}   {range:<22}", fmt_kpi(k, x.mean));
                let diff = if i == self.baseline {
                    format!("{:>11}", "(baseline)")
                } else if let Some(d) = self.diff(i, k) {
                    let ci = format!("[{}, {}]", fmt_diff(k, d.diff.ci95[0]), fmt_diff(k, d.diff.ci95[1]));
                    // One replication has no spread: its zero-width CI proves nothing.
                    let mark = if d.significant() && self.replications > 1 { "*" } else { " " };
                    format!("{:>11}{mark}  {ci:<24} {:>5.0} %", fmt_diff(k, d.diff.mean), 100.0 * d.share_greater)
                } else {
                    String::new()
                };
                if wide && i != self.baseline && !diff.is_empty() {
                    let _ = writeln!(s, "{}\n{pad}{}", row.trim_end(), diff.trim_end());
                } else if wide {
                    let _ = writeln!(s, "{} {}", row.trim_end(), diff.trim_start());
                } else {
                    let _ = writeln!(s, "{row} {diff}");
                }
            }
        }
        let _ = writeln!(
            s,
            "\n  * the 95 % CI of the paired difference (variant − baseline, replication by\n    \
             replication) excludes zero"
        );
        s
    }

    /// The `report.html` page: the variants, each one's headline KPIs, the paired differences
    /// to the baseline (the content of [`Comparison::table`]) and the box plots, whose SVG text
    /// is given per KPI (`None`: not drawn).
    pub fn html(&self, charts: &[(Kpi, Option<Vec<u8>>)]) -> Vec<u8> {
        let subtitle = format!("Comparison of {} variants on common random numbers", self.variants.len());
        let mut page = Page::new(&self.scenario, Some(&subtitle), &self.description);
        page.sources("comparison.json and comparison.csv");
        self.html_facts(&mut page);
        self.html_variants(&mut page);
        let kpis = self.headline_kpis();
        self.html_headline(&mut page, &kpis);
        self.html_differences(&mut page, &kpis);
        self.html_charts(&mut page, charts);
        page.finish()
    }

    /// The page's head: files, baseline and the common random numbers.
    fn html_facts(&self, page: &mut Page) {
        let base = &self.variants[self.baseline].name;
        let mut files: Vec<&str> = Vec::new();
        for v in &self.variants {
            if !files.contains(&v.file.as_str()) {
                files.push(&v.file);
            }
        }
        page.facts(&[
            (if files.len() == 1 { "Scenario file" } else { "Scenario files" }, files.join(", ")),
            ("Run", format!("every variant: {}", fmt_horizon(self.replications, self.days, self.warmup, self.seed))),
            ("Baseline", base.clone()),
            (
                "Random numbers",
                format!(
                    "common random numbers: every variant sees the same demand, lead-time and disruption draws{}",
                    // Draws are keyed by entity name, so files share them where their names agree.
                    if files.len() > 1 { " (for every location and SKU whose name the files share)" } else { "" }
                ),
            ),
        ]);
    }

    /// The variants: file, strategy, stress test and what each changes.
    fn html_variants(&self, page: &mut Page) {
        page.section("Variants");
        let mut t = Table::new(
            &["variant", "file", "strategy", "stress test", "what it changes"],
            &[Align::Left, Align::Left, Align::Left, Align::Left, Align::Left],
        );
        for (i, v) in self.variants.iter().enumerate() {
            let name = if i == self.baseline { format!("{} (baseline)", v.name) } else { v.name.clone() };
            let dash = |x: &Option<String>| x.clone().unwrap_or_else(|| "–".into());
            t.row(vec![
                name.into(),
                v.file.clone().into(),
                dash(&v.strategy).into(),
                dash(&v.stress).into(),
                v.description.clone().into(),
            ]);
        }
        page.table(&t);
    }

    /// Each variant's headline KPIs, and how to read them.
    fn html_headline(&self, page: &mut Page, kpis: &[(Kpi, &'static str)]) {
        let base = &self.variants[self.baseline].name;
        page.section("Headline KPIs by variant");
        let mut t = Table::new(
            &["variant", "mean", "90 % of replications", "95 % CI of the mean"],
            &[Align::Left, Align::Num, Align::Num, Align::Num],
        );
        t.caption = Some("Network KPIs; costs per day, turnover and GMROI per year.".into());
        for &(k, label) in kpis {
            t.rows.push(Row { cells: vec![label.into()], class: Some("group") });
            for (i, v) in self.variants.iter().enumerate() {
                let cells = match &v.summaries[k as usize] {
                    Some(x) => vec![
                        v.name.clone().into(),
                        fmt_kpi(k, x.mean).into(),
                        format!("[{}, {}]", fmt_kpi(k, x.p5), fmt_kpi(k, x.p95)).into(),
                        format!("[{}, {}]", fmt_kpi(k, x.ci95[0]), fmt_kpi(k, x.ci95[1])).into(),
                    ],
                    None => vec![v.name.clone().into(), "–".into(), "–".into(), "–".into()],
                };
                t.rows.push(Row { cells, class: (i == self.baseline).then_some("base") });
            }
        }
        page.table(&t);
        page.how_to_read(&format!(
            "Every variant ran the same {} replications: each replication is one possible future, and \
             replication i of every variant faced the same demand, lead times and disruptions. The mean is \
             the average over replications; \"90 % of replications\" is the range from the 5th to the 95th \
             percentile, i.e. how good or bad a single period can plausibly turn out under that variant; the \
             95 % confidence interval says how precisely the mean is known. The baseline ({base}) is shown in \
             grey. A dash means the KPI is undefined for that variant (for example no demand was measured).",
            self.replications
        ));
    }

    /// The paired differences to the baseline (the content of [`Comparison::table`]).
    fn html_differences(&self, page: &mut Page, kpis: &[(Kpi, &'static str)]) {
        let base = &self.variants[self.baseline].name;
        page.section(&format!("Differences to the baseline ({base})"));
        let mut t = Table::new(
            &["variant", "mean difference", "95 % CI", "greater in", "replications"],
            &[Align::Left, Align::Num, Align::Num, Align::Num, Align::Num],
        );
        t.caption = Some(
            "Variant − baseline, replication by replication; * and bold: the 95 % CI excludes zero. Shares \
             differ in percentage points (pp)."
                .into(),
        );
        for &(k, label) in kpis {
            t.rows.push(Row { cells: vec![label.into()], class: Some("group") });
            for (i, v) in self.variants.iter().enumerate() {
                if i == self.baseline {
                    continue;
                }
                let cells = match self.diff(i, k) {
                    Some(d) => {
                        let mean = fmt_diff(k, d.diff.mean);
                        let ci = format!("[{}, {}]", fmt_diff(k, d.diff.ci95[0]), fmt_diff(k, d.diff.ci95[1]));
                        let share = if d.share_greater.is_nan() {
                            "–".to_string()
                        } else {
                            format!("{:.0} %", 100.0 * d.share_greater)
                        };
                        vec![
                            v.name.clone().into(),
                            if d.significant() { Cell::with_class(format!("{mean} *"), "sig") } else { mean.into() },
                            ci.into(),
                            share.into(),
                            d.diff.n.to_string().into(),
                        ]
                    }
                    None => vec![v.name.clone().into(), "–".into(), "–".into(), "–".into(), "0".into()],
                };
                t.row(cells);
            }
        }
        page.table(&t);
        page.how_to_read(
            "These are paired differences: for every replication the baseline's value is subtracted from the \
             variant's, and the table summarises those differences. Because both faced the same random draws, \
             the luck of a replication cancels out and what is left is the effect of the change itself. That \
             is why a difference can be clearly non-zero even when the two variants' 90 % ranges in the table \
             above overlap widely: comparing the ranges, or two independent runs (unpaired), mixes the effect \
             with the luck of each run and needs far more replications to see the same difference.\n\n\
             The 95 % CI is the confidence interval of the mean difference; when it excludes zero (marked *) \
             the difference is unlikely to be chance at this number of replications. \"Greater in\" is the \
             share of replications in which the variant's value was higher than the baseline's (ties count as \
             not greater): 100 % means higher in every single future, 50 % a coin flip. Whether higher is \
             better depends on the KPI: fill rate, turnover and GMROI up, costs, stockouts and backorders \
             down.",
        );
    }

    /// The box plots (SVG text per KPI; `None`: not drawn).
    fn html_charts(&self, page: &mut Page, charts: &[(Kpi, Option<Vec<u8>>)]) {
        if !charts.is_empty() {
            page.section("Distributions across replications");
            page.how_to_read(
                "One box per variant, drawn from the values of all replications. The box spans the middle \
                 half of replications (25th to 75th percentile) and the thick line inside it is the median; the \
                 whiskers reach the 5th and the 95th percentile, so nine replications in ten lie between their \
                 ends (they are not the minimum and maximum: the most extreme tenth is left out). The dot is \
                 the mean.\n\n\
                 The boxes show the spread of each variant on its own, i.e. an unpaired view. Overlapping \
                 boxes do not mean that the variants perform alike: the paired differences above are the \
                 sharper test.",
            );
            for (k, svg) in charts {
                let label =
                    BOX_KPIS.iter().find(|(b, _)| b == k).map_or_else(|| k.name().replace('_', " "), |b| b.1.into());
                let caption = format!(
                    "Network {label} of each variant across {} replications: box 25–75 %, line median, \
                     whiskers 5–95 %, dot mean.",
                    self.replications
                );
                page.figure(svg.as_deref().unwrap_or_default(), &caption);
            }
        }
    }

    /// The headline KPIs of the tables: lost sales only when a variant loses sales, and none that
    /// is undefined in every variant.
    fn headline_kpis(&self) -> Vec<(Kpi, &'static str)> {
        let any_lost = self.variants.iter().any(|v| v.lost_sales);
        HEADLINE
            .into_iter()
            .filter(|&(k, _)| k != Kpi::LostSales || any_lost)
            .filter(|&(k, _)| self.variants.iter().any(|v| v.summaries[k as usize].is_some()))
            .collect()
    }

    /// Every output file: `comparison.json`, `comparison.csv`, box plots (PNG and SVG) of fill
    /// rate, total cost and on-hand, and `report.html`; plus warnings for charts that could not
    /// be drawn.
    pub fn files(&self) -> (Vec<OutputFile>, Vec<String>) {
        let mut files =
            vec![OutputFile::new("comparison.json", self.json()), OutputFile::new("comparison.csv", self.csv())];
        let mut warnings = Vec::new();
        let mut svgs = Vec::with_capacity(BOX_KPIS.len());
        for (k, label) in BOX_KPIS {
            let groups: Vec<(String, Vec<f64>)> =
                self.variants.iter().map(|v| (v.name.clone(), v.series[k as usize].clone())).collect();
            let unit = if k == Kpi::AvgOnHand && !self.single_sku { "units, all SKUs" } else { k.unit() };
            let title = format!("{} — {label} by variant", self.scenario);
            let svg = plot_both(&mut files, &mut warnings, &format!("box_{}", k.name()), |fmt| {
                box_plots(&title, &format!("{label} ({unit})"), &groups, fmt)
            });
            svgs.push((k, svg));
        }
        files.push(OutputFile::new("report.html", self.html(&svgs)));
        (files, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = r#"
[simulation]
days = 60
replications = 6
seed = 3
[[skus]]
id = "a"
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "s"
type = "store"
source = "sup"
lead_time = 1
policy = { type = "base_stock", level = 5 }
[[demand]]
location = "s"
distribution = { type = "poisson", mean = 4 }
"#;

    fn named(name: &str, level: &str) -> NamedScenario {
        let text = TWO.replace("level = 5", &format!("level = {level}"));
        NamedScenario { name: name.into(), file: "t.toml".into(), scenario: Scenario::parse("t.toml", &text).unwrap() }
    }

    #[test]
    fn identical_variants_differ_by_exactly_zero() {
        let c = compare(vec![named("a", "5"), named("b", "5")], 0, &Settings { quiet: true, ..Settings::default() })
            .unwrap();
        let d = c.diff(1, Kpi::FillRate).unwrap();
        assert_eq!((d.diff.mean, d.diff.sd, d.share_greater), (0.0, 0.0, 0.0));
        let csv = c.csv();
        assert_eq!(csv.lines().count(), 1 + 2 * Kpi::COUNT);
        let v: Value = serde_json::from_slice(&c.json()).unwrap();
        assert_eq!(v["baseline"], "a");
        assert_eq!(v["kpis"]["b"]["fill_rate"]["n"], 6);
    }

    #[test]
    fn report_shows_undefined_values_as_dashes() {
        let mut c =
            compare(vec![named("a", "5"), named("b <i>", "6")], 0, &Settings { quiet: true, ..Settings::default() })
                .unwrap();
        // Odd data: a KPI undefined for one variant, its paired difference gone, another's share NaN.
        c.variants[1].summaries[Kpi::FillRate as usize] = None;
        c.paired.retain(|d| d.kpi != Kpi::FillRate);
        for d in c.paired.iter_mut().filter(|d| d.kpi == Kpi::TotalCost) {
            d.share_greater = f64::NAN;
        }
        let html = String::from_utf8(c.html(&[(Kpi::FillRate, None)])).unwrap();
        assert!(html.contains("<tr><td>b &lt;i&gt;</td><td class=\"num\">–</td>"), "{html}");
        assert!(html.contains("(chart not available)"));
        assert!(!html.contains("NaN") && !html.contains("<i>"));
        assert_eq!(html.matches("<tr class=\"group\"><td colspan=\"4\">fill rate</td></tr>").count(), 1);
    }
}
