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

use super::{ExperimentError, OutputFile, Settings, horizon, plot_both, scope_series, single_sku};
use crate::kpi::Kpi;
use crate::model::Model;

use crate::report::format::{fmt_diff, fmt_kpi, truncate, wrap};
use crate::report::html::{Align, Cell, Page, Row, Table};
use crate::report::plot::box_plots;
use crate::report::summary::kpi_object;
use crate::report::table::HEADLINE;
use crate::report::table::TERMINAL_WIDTH;
use crate::report::{csv_field, csv_nums};
use crate::runner::{Keep, Scope};
use crate::scenario::{Patch, Scenario, Variant, closest};
use crate::stats::{Summary, paired};

mod report;

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
#[derive(Clone, Debug, serde::Serialize)]
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
    /// The same for each scope of [`Comparison::scopes`] (`--scope`), in that order; all NaN
    /// where the variant has no such location, tier or segment.
    pub scoped: Vec<ScopeValues>,
}

/// Per-replication values and summaries of every KPI of one scope of one variant.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScopeValues {
    /// `[kpi][replication]` in [`Kpi::ALL`] order.
    pub series: Vec<Vec<f64>>,
    /// Summary of each KPI (`None` = undefined in every replication).
    pub summaries: Vec<Option<Summary>>,
}

/// The paired difference of one KPI between a variant and the baseline.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PairedDiff {
    /// 0 for the network, `i + 1` for the scope `Comparison::scopes[i]`.
    pub scope: usize,
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
    /// Whether the 95 % confidence interval of the mean difference excludes zero. One
    /// replication has no interval (its spread is unknown), so nothing is significant then.
    pub fn significant(&self) -> bool {
        self.diff.n >= 2 && (self.diff.ci95[0] > 0.0 || self.diff.ci95[1] < 0.0)
    }

    /// The 95 % CI as text, or "–" with one replication (no interval).
    fn ci_text(&self) -> String {
        if self.diff.n < 2 {
            return "–".into();
        }
        format!("[{}, {}]", fmt_diff(self.kpi, self.diff.ci95[0]), fmt_diff(self.kpi, self.diff.ci95[1]))
    }
}

/// Result of [`compare`].
#[derive(Clone, Debug, serde::Serialize)]
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
    /// Paired differences of every other variant against the baseline, scope-major (network
    /// first), then variant, KPIs in [`Kpi::ALL`] order (KPIs undefined in either are left out).
    pub paired: Vec<PairedDiff>,
    /// Scopes asked for besides the network (`--scope`), e.g. `location:chicago-loop`.
    pub scopes: Vec<ScopeSpec>,
    /// Why common random numbers may not apply (variants that share no locations or SKUs with
    /// the baseline, or measure other days), and scopes a variant lacks.
    pub warnings: Vec<String>,
}

/// A scope of a comparison besides the network: `location:ID`, `tier:LABEL`, `segment:LABEL`,
/// `channel:NAME` or `region:NAME`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScopeSpec {
    /// `location`, `tier`, `segment`, `channel` or `region`.
    pub kind: ScopeKind,
    /// The location id, or the tier, segment, channel or region label.
    pub name: String,
}

/// The kind of a [`ScopeSpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ScopeKind {
    /// A stocking location, its SKUs summed.
    Location,
    /// A tier label of the allocation.
    Tier,
    /// An ABC×XYZ segment.
    Segment,
    /// A channel (store, online, bopis, marketplace).
    Channel,
    /// A region label, the positions of its locations summed.
    Region,
}

impl ScopeKind {
    fn word(self) -> &'static str {
        match self {
            ScopeKind::Location => "location",
            ScopeKind::Tier => "tier",
            ScopeKind::Segment => "segment",
            ScopeKind::Channel => "channel",
            ScopeKind::Region => "region",
        }
    }
}

impl ScopeSpec {
    /// Parses `location:ID`, `tier:LABEL`, `segment:LABEL`, `channel:NAME` or `region:NAME`.
    pub fn parse(text: &str) -> Result<ScopeSpec, ExperimentError> {
        let help = "write location:ID, tier:LABEL, segment:LABEL, channel:NAME or region:NAME, e.g. --scope \
                    location:store";
        let (kind, name) =
            text.split_once(':').ok_or_else(|| ExperimentError::input(format!("--scope '{text}' has no ':'"), help))?;
        let kind = match kind.trim() {
            "location" => ScopeKind::Location,
            "tier" => ScopeKind::Tier,
            "segment" => ScopeKind::Segment,
            "channel" => ScopeKind::Channel,
            "region" => ScopeKind::Region,
            other => {
                return Err(ExperimentError::input(format!("--scope '{text}': unknown kind '{other}'"), help));
            }
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(ExperimentError::input(format!("--scope '{text}' names nothing after ':'"), help));
        }
        Ok(ScopeSpec { kind, name: name.to_string() })
    }

    /// `kind:name`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.word(), self.name)
    }

    /// The names of this kind in a model.
    fn names(&self, m: &Model) -> Vec<String> {
        match self.kind {
            ScopeKind::Location => {
                m.topo.stock_locs.iter().map(|&l| m.scenario.locations[l.idx()].id.clone()).collect()
            }
            ScopeKind::Tier => m.alloc.tiers.clone(),
            ScopeKind::Segment => m.alloc.segments.clone(),
            ScopeKind::Channel => m.channel.channels.iter().map(|c| c.as_str().to_string()).collect(),
            ScopeKind::Region => m.topo.regions.clone(),
        }
    }

    /// The runner's scope in a model, if it has one of this name.
    fn resolve(&self, m: &Model) -> Option<Scope> {
        let i = self.names(m).iter().position(|n| *n == self.name)?;
        Some(match self.kind {
            ScopeKind::Location => Scope::Location(m.topo.stock_locs[i].idx()),
            ScopeKind::Tier => Scope::Tier(i),
            ScopeKind::Segment => Scope::Segment(i),
            ScopeKind::Channel => Scope::Channel(i),
            ScopeKind::Region => Scope::Region(i),
        })
    }

    /// An input error unless the model has this scope: the names it has, the closest first.
    fn check(&self, m: &Model, variant: &str) -> Result<(), ExperimentError> {
        if self.resolve(m).is_some() {
            return Ok(());
        }
        let names = self.names(m);
        if names.is_empty() {
            return Err(ExperimentError::input(
                format!("--scope {}: the baseline '{variant}' has no {}s", self.label(), self.kind.word()),
                "scope by location:ID, or by tier:/segment:/channel:/region: in a scenario that defines them",
            ));
        }
        let hint = match closest(&self.name, names.iter().map(String::as_str)) {
            Some(c) => format!("did you mean '{}:{c}'? ", self.kind.word()),
            None => String::new(),
        };
        Err(ExperimentError::input(
            format!("--scope {}: the baseline '{variant}' has no {} '{}'", self.label(), self.kind.word(), self.name),
            format!("{hint}{}s: {}", self.kind.word(), names.join(", ")),
        ))
    }
}

/// Runs every variant with the baseline's seed and replications (or `settings`' overrides) and
/// computes paired differences of the network's KPIs against `variants[baseline]`.
pub fn compare(
    variants: Vec<NamedScenario>,
    baseline: usize,
    settings: &Settings,
) -> Result<Comparison, ExperimentError> {
    compare_scoped(variants, baseline, settings, &[])
}

/// [`compare`] with the KPIs of further scopes (locations, tiers, segments, channels, regions)
/// compared as well; each must exist in the baseline (else an input error naming the ones that do).
pub fn compare_scoped(
    variants: Vec<NamedScenario>,
    baseline: usize,
    settings: &Settings,
    scopes: &[ScopeSpec],
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
    if !scopes.is_empty() {
        // Checked before any run: a typo in --scope should not cost the whole comparison.
        let base_model = Model::compile(&base.scenario);
        for sc in scopes {
            sc.check(&base_model, &base.name)?;
        }
    }
    let mut warnings = crn_warnings(&variants, baseline);
    let progress = settings.progress(variants.len() * opts.replications, &variants[0].name);
    let mut results = Vec::with_capacity(variants.len());
    for v in variants {
        progress.set_label(&format!("compare · {}", v.name));
        let strategy = v.scenario.strategy.clone();
        let stress = v.scenario.stress.clone();
        let lost_sales = v.scenario.simulation.unmet_demand == crate::scenario::UnmetDemand::LostSales;
        let description = variant_description(&v.scenario);
        let model = Model::compile_arc(Arc::new(v.scenario));
        let mut opts = opts.clone();
        opts.keep = Keep::Scopes(scopes.iter().filter_map(|sc| sc.resolve(&model)).collect());
        let r = settings.run(&model, &opts, &progress)?;
        let series = scope_series(&r, Scope::Network);
        let summaries = series.iter().map(|s| Summary::of(s)).collect();
        let scoped = scopes
            .iter()
            .map(|sc| {
                let series = match sc.resolve(&model) {
                    Some(scope) => scope_series(&r, scope),
                    None => {
                        warnings.push(format!(
                            "variant '{}' has no {} '{}': its --scope {} values are left empty",
                            v.name,
                            sc.kind.word(),
                            sc.name,
                            sc.label()
                        ));
                        vec![vec![f64::NAN; opts.replications]; Kpi::COUNT]
                    }
                };
                let summaries = series.iter().map(|s| Summary::of(s)).collect();
                ScopeValues { series, summaries }
            })
            .collect();
        results.push(VariantResult {
            name: v.name,
            file: v.file,
            strategy,
            stress,
            description,
            lost_sales,
            series,
            summaries,
            scoped,
        });
    }
    progress.finish();
    let mut diffs = Vec::new();
    for scope in 0..=scopes.len() {
        fn series(v: &VariantResult, scope: usize) -> &[Vec<f64>] {
            if scope == 0 { &v.series } else { &v.scoped[scope - 1].series }
        }
        for (i, v) in results.iter().enumerate() {
            if i == baseline {
                continue;
            }
            for (j, &k) in Kpi::ALL.iter().enumerate() {
                if let Some((diff, share_greater)) = paired(&series(v, scope)[j], &series(&results[baseline], scope)[j])
                {
                    diffs.push(PairedDiff { scope, variant: i, kpi: k, diff, share_greater });
                }
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
        scopes: scopes.to_vec(),
        warnings,
    })
}

/// Warnings for variants on which common random numbers do not work: draws are keyed by entity
/// name (DESIGN.md §5), so a variant that shares no location or no SKU with the baseline draws
/// independently of it, and one that measures other days (or warm-up) compares other periods.
fn crn_warnings(variants: &[NamedScenario], baseline: usize) -> Vec<String> {
    let base = &variants[baseline];
    let ids = |sc: &Scenario| -> (Vec<String>, Vec<String>) {
        (sc.locations.iter().map(|l| l.id.clone()).collect(), sc.skus.iter().map(|k| k.id.clone()).collect())
    };
    let (base_locs, base_skus) = ids(&base.scenario);
    let base_sim = &base.scenario.simulation;
    let mut out = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        if i == baseline {
            continue;
        }
        let (locs, skus) = ids(&v.scenario);
        let shared_locs = locs.iter().filter(|l| base_locs.contains(l)).count();
        let shared_skus = skus.iter().filter(|k| base_skus.contains(k)).count();
        let none = match (shared_locs, shared_skus) {
            (0, 0) => Some("no location and no SKU"),
            (0, _) => Some("no location"),
            (_, 0) => Some("no SKU"),
            _ => None,
        };
        if let Some(what) = none {
            out.push(format!(
                "'{}' shares {what} with the baseline '{}': random draws are keyed by name, so the two draw \
                 independently and common random numbers do not apply (the paired differences are those of \
                 independent runs)",
                v.name, base.name
            ));
        }
        let sim = &v.scenario.simulation;
        if (sim.days, sim.warmup_days) != (base_sim.days, base_sim.warmup_days) {
            out.push(format!(
                "'{}' measures {} days after {} warm-up days, the baseline '{}' {} after {}: the variants cover \
                 different periods, so common random numbers do not apply and the differences include the \
                 change of horizon",
                v.name, sim.days, sim.warmup_days, base.name, base_sim.days, base_sim.warmup_days
            ));
        }
    }
    out
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

    #[test]
    fn one_replication_claims_no_significance() {
        let one = Settings { quiet: true, replications: Some(1), ..Settings::default() };
        let c = compare(vec![named("a", "5"), named("b", "9")], 0, &one).unwrap();
        let d = c.diff(1, Kpi::AvgOnHand).unwrap();
        assert!(d.diff.mean > 0.0 && d.diff.ci95 == [d.diff.mean; 2], "{d:?}");
        assert!(!d.significant() && d.ci_text() == "–");
        assert!(c.table().contains("one replication") && c.table().contains("1 replication × 60 days"));
        let two = Settings { replications: Some(6), ..one };
        assert!(
            compare(vec![named("a", "5"), named("b", "9")], 0, &two)
                .unwrap()
                .diff(1, Kpi::AvgOnHand)
                .unwrap()
                .significant()
        );
    }

    #[test]
    fn scopes_parse_resolve_and_suggest() {
        let s = ScopeSpec::parse("location:s").unwrap();
        assert_eq!((s.kind, s.label()), (ScopeKind::Location, "location:s".to_string()));
        for bad in ["s", "city:s", "tier:", "location"] {
            assert!(matches!(ScopeSpec::parse(bad), Err(ExperimentError::Input { .. })), "{bad}");
        }
        let set = Settings { quiet: true, ..Settings::default() };
        let c = compare_scoped(vec![named("a", "5"), named("b", "6")], 0, &set, std::slice::from_ref(&s)).unwrap();
        assert_eq!(
            c.variants[1].scoped[0].summaries[Kpi::FillRate as usize],
            c.variants[1].summaries[Kpi::FillRate as usize]
        );
        assert!(c.diff_in(1, 1, Kpi::AvgOnHand).is_some());
        let v: Value = serde_json::from_slice(&c.json()).unwrap();
        assert!(v["scopes"]["location:s"]["paired"].is_array());
        assert_eq!(c.csv().lines().count(), 1 + 2 * 2 * Kpi::COUNT);
        let typo = ScopeSpec::parse("location:ss").unwrap();
        let e = compare_scoped(vec![named("a", "5"), named("b", "6")], 0, &set, &[typo]).unwrap_err().to_string();
        assert!(e.contains("did you mean 'location:s'"), "{e}");
        let e = compare_scoped(vec![named("a", "5"), named("b", "6")], 0, &set, &[ScopeSpec::parse("tier:A").unwrap()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("has no tiers"), "{e}");
    }
}
