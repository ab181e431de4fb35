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

use super::{ExperimentError, OutputFile, Settings, fmt_diff, horizon, plot_both, scope_series, single_sku, truncate};
use crate::kpi::Kpi;
use crate::model::Model;
use crate::report::plot::box_plots;
use crate::report::summary::kpi_object;
use crate::report::table::{HEADLINE, fmt_kpi};
use crate::report::{csv_field, csv_num};
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
    let (days, warmup) = (base.scenario.simulation.days, base.scenario.simulation.warmup_days);
    let single = single_sku(&base.scenario);
    let progress = settings.progress(variants.len() * opts.replications, &variants[0].name);
    let mut results = Vec::with_capacity(variants.len());
    for v in variants {
        progress.set_label(&format!("compare · {}", v.name));
        let strategy = v.scenario.strategy.clone();
        let stress = v.scenario.stress.clone();
        let lost_sales = v.scenario.simulation.unmet_demand == crate::scenario::UnmetDemand::LostSales;
        let model = Model::compile_arc(Arc::new(v.scenario));
        let r = runner::run(&model, &opts, &progress);
        let series = scope_series(&r, Scope::Network);
        let summaries = series.iter().map(|s| Summary::of(s)).collect();
        results.push(VariantResult { name: v.name, file: v.file, strategy, stress, lost_sales, series, summaries });
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
                for x in nums {
                    out.push(',');
                    csv_num(&mut out, x);
                }
                out.push(',');
                if i != self.baseline {
                    out.push_str(&base);
                }
                let d = self.diff(i, k);
                let dn = d.map_or([f64::NAN; 5], |d| {
                    [d.diff.mean, d.diff.se, d.diff.ci95[0], d.diff.ci95[1], d.share_greater]
                });
                for x in dn {
                    out.push(',');
                    csv_num(&mut out, x);
                }
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
        let _ = writeln!(
            s,
            "{} — {} variants on common random numbers, {}; baseline: {base}",
            self.scenario,
            self.variants.len(),
            horizon(self.replications, self.days, self.warmup, self.seed)
        );
        let w = self.variants.iter().map(|v| v.name.chars().count()).max().unwrap_or(8).clamp(8, 28) + 2;
        let _ = writeln!(
            s,
            "  {:<w$} {:>10}   {:<22} {:>11}   {:<24} greater in",
            "", "mean", "90 % of replications", "vs baseline", "95 % CI"
        );
        let any_lost = self.variants.iter().any(|v| v.lost_sales);
        for (k, label) in HEADLINE {
            if k == Kpi::LostSales && !any_lost {
                continue;
            }
            if self.variants.iter().all(|v| v.summaries[k as usize].is_none()) {
                continue;
            }
            let _ = writeln!(s, "  {label}");
            for (i, v) in self.variants.iter().enumerate() {
                let name = truncate(&v.name, w);
                let Some(x) = &v.summaries[k as usize] else {
                    let _ = writeln!(s, "    {name:<w$} {:>8}", "–");
                    continue;
                };
                let range = format!("[{}, {}]", fmt_kpi(k, x.p5), fmt_kpi(k, x.p95));
                let _ = write!(s, "    {name:<w$} {:>8}   {range:<22}", fmt_kpi(k, x.mean));
                if i == self.baseline {
                    let _ = writeln!(s, " {:>11}", "(baseline)");
                } else if let Some(d) = self.diff(i, k) {
                    let ci = format!("[{}, {}]", fmt_diff(k, d.diff.ci95[0]), fmt_diff(k, d.diff.ci95[1]));
                    let mark = if d.significant() { "*" } else { " " };
                    let _ = writeln!(
                        s,
                        " {:>11}{mark}  {ci:<24} {:>5.0} %",
                        fmt_diff(k, d.diff.mean),
                        100.0 * d.share_greater
                    );
                } else {
                    let _ = writeln!(s);
                }
            }
        }
        let _ = writeln!(
            s,
            "\n  * the 95 % CI of the paired difference (variant − baseline, replication by replication) \
             excludes zero"
        );
        s
    }

    /// Every output file: `comparison.json`, `comparison.csv` and box plots (PNG and SVG) of fill
    /// rate, total cost and on-hand; plus warnings for charts that could not be drawn.
    pub fn files(&self) -> (Vec<OutputFile>, Vec<String>) {
        let mut files =
            vec![OutputFile::new("comparison.json", self.json()), OutputFile::new("comparison.csv", self.csv())];
        let mut warnings = Vec::new();
        for (k, label) in BOX_KPIS {
            let groups: Vec<(String, Vec<f64>)> =
                self.variants.iter().map(|v| (v.name.clone(), v.series[k as usize].clone())).collect();
            let unit = if k == Kpi::AvgOnHand && !self.single_sku { "units, all SKUs" } else { k.unit() };
            let title = format!("{} — {label} by variant", self.scenario);
            plot_both(&mut files, &mut warnings, &format!("box_{}", k.name()), |fmt| {
                box_plots(&title, &format!("{label} ({unit})"), &groups, fmt)
            });
        }
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
}
