//! What a comparison shows: the terminal table, comparison.json and .csv, and report.html.

use super::*;

/// How to read the paired differences (the network's table).
const DIFFERENCES_HOWTO: &str = "These are paired differences: for every replication the baseline's value is \
    subtracted from the variant's, and the table summarises those differences. Because both faced the same random \
    draws, the luck of a replication cancels out and what is left is the effect of the change itself. That is why a \
    difference can be clearly non-zero even when the two variants' 90 % ranges in the table above overlap widely: \
    comparing the ranges, or two independent runs (unpaired), mixes the effect with the luck of each run and needs \
    far more replications to see the same difference.\n\n\
    The 95 % CI is the confidence interval of the mean difference; when it excludes zero (marked *) the difference \
    is unlikely to be chance at this number of replications (with a single replication there is no interval and \
    nothing is marked). \"Greater in\" is the share of replications in which the variant's value was higher than \
    the baseline's (ties count as not greater): 100 % means higher in every single future, 50 % a coin flip. \
    Whether higher is better depends on the KPI: fill rate, turnover and GMROI up, costs, stockouts and \
    backorders down.";

/// KPIs drawn as box plots, one box per variant.
const BOX_KPIS: [(Kpi, &str); 3] =
    [(Kpi::FillRate, "fill rate"), (Kpi::TotalCost, "total cost per day"), (Kpi::AvgOnHand, "average on hand")];

/// Resilience KPIs of the network, shown when a variant has them (a disrupted scenario).
const RESILIENCE: [(Kpi, &str); 4] = [
    (Kpi::TimeToRecover, "time to recover (days)"),
    (Kpi::Recovered, "recovered"),
    (Kpi::PeakBacklog, "peak backlog (units)"),
    (Kpi::DisruptionLostRevenue, "revenue lost in disruption"),
];

impl Comparison {
    /// Index of a variant by name.
    pub fn variant_index(&self, name: &str) -> Option<usize> {
        self.variants.iter().position(|v| v.name == name)
    }

    /// The paired difference of a variant's network KPI against the baseline.
    pub fn diff(&self, variant: usize, kpi: Kpi) -> Option<&PairedDiff> {
        self.diff_in(0, variant, kpi)
    }

    /// The paired difference in scope `scope` (0 = network, `i + 1` = `scopes[i]`).
    pub fn diff_in(&self, scope: usize, variant: usize, kpi: Kpi) -> Option<&PairedDiff> {
        self.paired.iter().find(|d| d.scope == scope && d.variant == variant && d.kpi == kpi)
    }

    /// A variant's KPI summaries in scope `scope` (0 = network).
    fn summaries_in<'a>(&self, v: &'a VariantResult, scope: usize) -> &'a [Option<Summary>] {
        if scope == 0 { &v.summaries } else { &v.scoped[scope - 1].summaries }
    }

    /// `network` or `location:ID`, ...
    fn scope_label(&self, scope: usize) -> String {
        if scope == 0 { "network".into() } else { self.scopes[scope - 1].label() }
    }

    /// "N replications × D days ..." of every variant, in the singular where it is one.
    fn horizon(&self) -> String {
        horizon(self.replications, self.days, self.warmup, self.seed)
    }

    /// The paired entries of one scope as JSON.
    fn paired_json(&self, scope: usize) -> Vec<Value> {
        let base = &self.variants[self.baseline].name;
        self.paired
            .iter()
            .filter(|d| d.scope == scope)
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
                    "significant": d.significant(),
                })
            })
            .collect()
    }

    /// The KPI summaries of one scope as `{variant: {kpi: summary}}`.
    fn kpis_json(&self, scope: usize) -> Map<String, Value> {
        let mut kpis = Map::new();
        for v in &self.variants {
            kpis.insert(v.name.clone(), kpi_object(self.summaries_in(v, scope)));
        }
        kpis
    }

    /// The `comparison.json` document.
    pub fn json(&self) -> Vec<u8> {
        let base = &self.variants[self.baseline].name;
        let variants: Vec<Value> = self
            .variants
            .iter()
            .map(|v| json!({"name": v.name, "file": v.file, "strategy": v.strategy, "stress": v.stress}))
            .collect();
        let mut doc = json!({
            "scenario": self.scenario,
            "variants": self.variants.iter().map(|v| v.name.clone()).collect::<Vec<_>>(),
            "baseline": base,
            "replications": self.replications,
            "seed": self.seed,
            "days": self.days,
            "warmup_days": self.warmup,
            "variant_sources": variants,
            "kpis": self.kpis_json(0),
            "paired": self.paired_json(0),
            "warnings": self.warnings,
        });
        if !self.scopes.is_empty() {
            let mut scopes = Map::new();
            for i in 1..=self.scopes.len() {
                scopes.insert(self.scope_label(i), json!({"kpis": self.kpis_json(i), "paired": self.paired_json(i)}));
            }
            doc["scopes"] = Value::Object(scopes);
        }
        let mut out = serde_json::to_vec_pretty(&doc).expect("serialising to memory cannot fail");
        out.push(b'\n');
        out
    }

    /// The `comparison.csv` text: one row per scope, variant and KPI with its summary and, for
    /// the variants other than the baseline, the paired difference; the scope last (`network`,
    /// then each `--scope`).
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "variant,kpi,mean,sd,se,ci95_lo,ci95_hi,p5,p50,p95,min,max,n,\
             baseline,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi,share_greater,scope\n",
        );
        let base = csv_field(&self.variants[self.baseline].name);
        for scope in 0..=self.scopes.len() {
            let label = csv_field(&self.scope_label(scope));
            for (i, v) in self.variants.iter().enumerate() {
                for (j, &k) in Kpi::ALL.iter().enumerate() {
                    out.push_str(&csv_field(&v.name));
                    out.push(',');
                    out.push_str(k.name());
                    let s = self.summaries_in(v, scope)[j].as_ref();
                    let nums = s.map_or([f64::NAN; 11], |s| {
                        [s.mean, s.sd, s.se, s.ci95[0], s.ci95[1], s.p5, s.p50, s.p95, s.min, s.max, s.n as f64]
                    });
                    csv_nums(&mut out, nums);
                    out.push(',');
                    if i != self.baseline {
                        out.push_str(&base);
                    }
                    let d = self.diff_in(scope, i, k);
                    let dn = d.map_or([f64::NAN; 5], |d| {
                        [d.diff.mean, d.diff.se, d.diff.ci95[0], d.diff.ci95[1], d.share_greater]
                    });
                    csv_nums(&mut out, dn);
                    out.push(',');
                    out.push_str(&label);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The terminal table: per scope (the network, then each `--scope`) and headline KPI, each
    /// variant's mean and 90 % range of replications, and its paired difference to the baseline
    /// with a 95 % CI; `*` marks differences whose CI excludes zero.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let base = &self.variants[self.baseline].name;
        let title = format!(
            "{} — {} variants on common random numbers, {}; baseline: {base}",
            self.scenario,
            self.variants.len(),
            self.horizon()
        );
        let _ = writeln!(s, "{}", wrap(&title, TERMINAL_WIDTH, "  "));
        let w = self.variants.iter().map(|v| v.name.chars().count()).max().unwrap_or(8).clamp(8, 28) + 2;
        // A row is name, mean and range, then the paired difference; where that is wider than
        // the terminal, the difference goes on a second line under the range.
        let wide = 4 + w + 1 + 8 + 3 + 22 + 1 + 12 + 2 + 24 + 7 > TERMINAL_WIDTH;
        let head = format!("  {:<w$} {:>10}   {:<22}", "", "mean", "90 % of replications");
        let diff_head = format!("{:>11}   {:<24} greater in", "vs baseline", "95 % CI");
        for scope in 0..=self.scopes.len() {
            if !self.scopes.is_empty() {
                let _ = writeln!(s, "\n  [{}]", self.scope_label(scope));
            }
            if wide {
                let _ = writeln!(s, "{}\n{}{diff_head}", head.trim_end(), " ".repeat(4 + w + 1));
            } else {
                let _ = writeln!(s, "{head} {diff_head}");
            }
            for (k, label) in self.headline_kpis(scope) {
                let _ = writeln!(s, "  {label}");
                for i in 0..self.variants.len() {
                    self.table_line(&mut s, scope, i, k, w, wide);
                }
            }
        }
        let note = if self.replications < 2 {
            "one replication: the spread is unknown, so there is no CI and no difference is marked significant"
        } else {
            "the 95 % CI of the paired difference (variant − baseline, replication by replication) excludes zero"
        };
        let _ = writeln!(s, "\n{}", wrap(&format!("  * {note}"), TERMINAL_WIDTH, "    "));
        s
    }

    /// One line of the terminal table: a variant's KPI and its difference to the baseline.
    fn table_line(&self, s: &mut String, scope: usize, i: usize, k: Kpi, w: usize, wide: bool) {
        let v = &self.variants[i];
        let name = truncate(&v.name, w);
        let Some(x) = &self.summaries_in(v, scope)[k as usize] else {
            let _ = writeln!(s, "    {name:<w$} {:>8}", "–");
            return;
        };
        let range = format!("[{}, {}]", fmt_kpi(k, x.p5), fmt_kpi(k, x.p95));
        let row = format!("    {name:<w$} {:>8}   {range:<22}", fmt_kpi(k, x.mean));
        let diff = if i == self.baseline {
            format!("{:>11}", "(baseline)")
        } else if let Some(d) = self.diff_in(scope, i, k) {
            let mark = if d.significant() { "*" } else { " " };
            let share =
                if d.share_greater.is_nan() { "–".into() } else { format!("{:.0} %", 100.0 * d.share_greater) };
            format!("{:>11}{mark}  {:<24} {share:>5}", fmt_diff(k, d.diff.mean), d.ci_text())
        } else {
            String::new()
        };
        if wide && i != self.baseline && !diff.is_empty() {
            let _ = writeln!(s, "{}\n{}{}", row.trim_end(), " ".repeat(4 + w + 1), diff.trim_end());
        } else if wide || diff.is_empty() {
            let _ = writeln!(s, "{} {}", row.trim_end(), diff.trim_start());
        } else {
            let _ = writeln!(s, "{row} {diff}");
        }
    }

    /// The `report.html` page: the variants, each one's headline KPIs, the paired differences
    /// to the baseline (the content of [`Comparison::table`]), the same for every `--scope`, and
    /// the box plots, whose SVG text is given per KPI (`None`: not drawn).
    pub fn html(&self, charts: &[(Kpi, Option<Vec<u8>>)]) -> Vec<u8> {
        let subtitle = format!("Comparison of {} variants on common random numbers", self.variants.len());
        let mut page = Page::new(&self.scenario, Some(&subtitle), &self.description);
        page.sources("comparison.json and comparison.csv");
        self.html_facts(&mut page);
        for w in &self.warnings {
            page.paragraph(&format!("Warning: {w}."), Some("warn"));
        }
        self.html_variants(&mut page);
        for scope in 0..=self.scopes.len() {
            let kpis = self.headline_kpis(scope);
            self.html_headline(&mut page, scope, &kpis);
            self.html_differences(&mut page, scope, &kpis);
        }
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
        let mut facts = vec![
            (if files.len() == 1 { "Scenario file" } else { "Scenario files" }, files.join(", ")),
            ("Run", format!("every variant: {}", self.horizon())),
            ("Baseline", base.clone()),
            (
                "Random numbers",
                format!(
                    "common random numbers: every variant sees the same demand, lead-time and disruption draws{}",
                    // Draws are keyed by entity name, so files share them where their names agree.
                    if files.len() > 1 { " (for every location and SKU whose name the files share)" } else { "" }
                ),
            ),
        ];
        if !self.scopes.is_empty() {
            let list: Vec<String> = self.scopes.iter().map(ScopeSpec::label).collect();
            facts.push(("Scopes", format!("network, {}", list.join(", "))));
        }
        page.facts(&facts);
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

    /// Each variant's headline KPIs in one scope, and (for the network) how to read them.
    fn html_headline(&self, page: &mut Page, scope: usize, kpis: &[(Kpi, &'static str)]) {
        let base = &self.variants[self.baseline].name;
        if scope == 0 {
            page.section("Headline KPIs by variant");
        } else {
            page.section(&format!("{}: KPIs by variant", self.scope_label(scope)));
        }
        let mut t = Table::new(
            &["variant", "mean", "90 % of replications", "95 % CI of the mean"],
            &[Align::Left, Align::Num, Align::Num, Align::Num],
        );
        let what = if scope == 0 { "Network KPIs".to_string() } else { format!("KPIs of {}", self.scope_label(scope)) };
        t.caption = Some(format!("{what}; costs per day, turnover and GMROI per year."));
        for &(k, label) in kpis {
            t.rows.push(Row { cells: vec![label.into()], class: Some("group") });
            for (i, v) in self.variants.iter().enumerate() {
                let cells = match &self.summaries_in(v, scope)[k as usize] {
                    Some(x) => vec![
                        v.name.clone().into(),
                        fmt_kpi(k, x.mean).into(),
                        format!("[{}, {}]", fmt_kpi(k, x.p5), fmt_kpi(k, x.p95)).into(),
                        if x.n < 2 {
                            "–".into()
                        } else {
                            format!("[{}, {}]", fmt_kpi(k, x.ci95[0]), fmt_kpi(k, x.ci95[1])).into()
                        },
                    ],
                    None => vec![v.name.clone().into(), "–".into(), "–".into(), "–".into()],
                };
                t.rows.push(Row { cells, class: (i == self.baseline).then_some("base") });
            }
        }
        page.table(&t);
        if scope > 0 {
            return;
        }
        page.how_to_read(&format!(
            "Every variant ran the same {} replications: each replication is one possible future, and \
             replication i of every variant faced the same demand, lead times and disruptions. The mean is \
             the average over replications; \"90 % of replications\" is the range from the 5th to the 95th \
             percentile, i.e. how good or bad a single period can plausibly turn out under that variant; the \
             95 % confidence interval says how precisely the mean is known. The baseline ({base}) is shown in \
             grey. A dash means the KPI is undefined for that variant (for example no demand was measured), \
             or, for a confidence interval, that one replication cannot give one.",
            self.replications
        ));
    }

    /// The paired differences to the baseline in one scope (the content of
    /// [`Comparison::table`]), and (for the network) how to read them.
    fn html_differences(&self, page: &mut Page, scope: usize, kpis: &[(Kpi, &'static str)]) {
        let base = &self.variants[self.baseline].name;
        if scope == 0 {
            page.section(&format!("Differences to the baseline ({base})"));
        } else {
            page.subsection(&format!("{}: differences to the baseline ({base})", self.scope_label(scope)));
        }
        let mut t = Table::new(
            &["variant", "mean difference", "95 % CI", "greater in", "replications"],
            &[Align::Left, Align::Num, Align::Num, Align::Num, Align::Num],
        );
        t.caption = Some(if self.replications < 2 {
            "Variant − baseline, replication by replication. One replication: no CI, so no difference is marked \
             significant. Shares differ in percentage points (pp)."
                .into()
        } else {
            "Variant − baseline, replication by replication; * and bold: the 95 % CI excludes zero. Shares \
             differ in percentage points (pp)."
                .into()
        });
        for &(k, label) in kpis {
            t.rows.push(Row { cells: vec![label.into()], class: Some("group") });
            for (i, v) in self.variants.iter().enumerate() {
                if i == self.baseline {
                    continue;
                }
                t.row(self.difference_cells(scope, i, k, &v.name));
            }
        }
        page.table(&t);
        if scope == 0 {
            page.how_to_read(DIFFERENCES_HOWTO);
        }
    }

    /// The cells of one row of the differences table.
    fn difference_cells(&self, scope: usize, i: usize, k: Kpi, name: &str) -> Vec<Cell> {
        let Some(d) = self.diff_in(scope, i, k) else {
            return vec![name.into(), "–".into(), "–".into(), "–".into(), "0".into()];
        };
        let mean = fmt_diff(k, d.diff.mean);
        let share =
            if d.share_greater.is_nan() { "–".to_string() } else { format!("{:.0} %", 100.0 * d.share_greater) };
        vec![
            name.into(),
            if d.significant() { Cell::with_class(format!("{mean} *"), "sig") } else { mean.into() },
            d.ci_text().into(),
            share.into(),
            d.diff.n.to_string().into(),
        ]
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

    /// The headline KPIs of a scope's tables, then the resilience KPIs: lost sales only when a
    /// variant loses sales, and none that is undefined in every variant (so resilience shows
    /// only for a disrupted network).
    fn headline_kpis(&self, scope: usize) -> Vec<(Kpi, &'static str)> {
        let any_lost = self.variants.iter().any(|v| v.lost_sales);
        HEADLINE
            .into_iter()
            .chain(RESILIENCE)
            .filter(|&(k, _)| k != Kpi::LostSales || any_lost)
            .filter(|&(k, _)| self.variants.iter().any(|v| self.summaries_in(v, scope)[k as usize].is_some()))
            .collect()
    }

    /// Every output file: `comparison.json`, `comparison.csv`, box plots (PNG and SVG) of fill
    /// rate, total cost and on-hand, and `report.html`; plus warnings for charts that could not
    /// be drawn.
    pub fn files(&self) -> (Vec<OutputFile>, Vec<String>) {
        let mut files =
            vec![OutputFile::new("comparison.json", self.json()), OutputFile::new("comparison.csv", self.csv())];
        // The reasons common random numbers may not apply go to the terminal too.
        let mut warnings = self.warnings.clone();
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
