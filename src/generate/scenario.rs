//! The scenario file that loads the generated tables.

use super::Retailer;
use super::model::{DemandKind, Tier};

impl Retailer {
    /// The text of scenario.toml: a comment header on what was generated and how to use it,
    /// `[simulation]`, `[tables]`, strategies and a stress test.
    pub fn scenario_toml(&self) -> String {
        let sp = &self.spec;
        let (stores, skus, dcs) = (self.stores.len(), self.skus.len(), self.dcs.len());
        let (y, m, d) = sp.start_date;
        let count = |t: Tier| self.stores.iter().filter(|s| s.tier == t).count();
        let slow = self.positions.iter().filter(|p| p.kind == DemandKind::Intermittent).count();
        let regions: Vec<&str> = self.dcs.iter().map(|d| d.region.as_str()).collect();
        let dc_flag = if sp.dcs.is_some() { format!(" --dcs {dcs}") } else { String::new() };
        let mut t = String::new();
        t.push_str(&format!(
            "# Retail chain — a generated chain of {stores} stores, {skus} SKUs and {dcs} DC{}, with {} of sales history.\n\
             #\n\
             # Written by `echelon generate --stores {stores} --skus {skus} --days {}{dc_flag} --seed {} --out DIR`: every\n\
             # table beside this file is synthetic, and the same command writes the same bytes.\n\
             # - locations.csv  a supplier; {dcs} DC{} (region{} {}), each 7–14 days from the supplier\n\
             #                  (± 2 days, uniform); stores of tier A ({}), B ({}) and C ({}) by size,\n\
             #                  1–3 days from the DC of their region\n\
             # - skus.csv       unit cost (log-normal), price (markup 1.6–2.5), holding cost (25 % of the\n\
             #                  cost a year, per day), stockout cost (20 % of the price per lost sale), order\n\
             #                  cost; the description is the category (grocery, household, apparel, winter,\n\
             #                  summer, electronics)\n\
             # - positions.csv  DCs: weekly base-stock in days of cover (lead time + review + 5 days);\n\
             #                  stores by tier and velocity: base-stock at 97 % / 95 % service, (s, S) in days\n\
             #                  of cover, or a unit or two for slow movers\n\
             # - demand.csv     the true demand of every store position: long-tailed velocities (Zipf over\n\
             #                  SKU rank), Poisson or negative binomial, intermittent for slow movers ({slow} of\n\
             #                  {} positions), a weekend peak by category, winter and summer seasons that\n\
             #                  differ by region, a trend for electronics\n\
             # - sales.csv      the daily sales of the {} days before the start date, drawn from demand.csv,\n\
             #                  with on_hand: 0 marks a day the shelf ran empty (censored)\n\
             #\n\
             # Fit the history, run, find the positions that miss service and size them (scenarios/README.md):\n\
             #   cargo run --release -- fit scenarios/retail-chain/sales.csv --out output/retail-chain-demand.csv\n\
             #   cargo run --release -- run scenarios/retail-chain/scenario.toml\n\
             #   cargo run --release -- compare scenarios/retail-chain/scenario.toml --stress supplier-strike\n\
             #   cargo run --release -- size scenarios/retail-chain/scenario.toml --target fill_rate=0.95\n",
            plural(dcs),
            days(sp.days),
            sp.days,
            sp.seed,
            plural(dcs),
            plural(dcs),
            regions.join(", "),
            count(Tier::A),
            count(Tier::B),
            count(Tier::C),
            self.positions.len(),
            sp.days,
        ));
        t.push_str(&format!(
            "name = \"Retail chain: {stores} stores, {skus} SKUs, {dcs} DC{}\"\n\
             description = \"A generated chain: long-tailed SKU velocities, slow movers, weekly and regional patterns; policies by tier and velocity.\"\n\
             \n\
             [simulation]\n\
             days = 365\n\
             warmup_days = 28              # the DCs' pipelines fill first\n\
             replications = {}\n\
             seed = {}\n\
             start_date = \"{y:04}-{m:02}-{d:02}\"    # the day after the last day of sales.csv\n\
             unmet_demand = \"lost_sales\"\n\
             \n\
             [tables]                      # paths relative to this file\n\
             locations = \"locations.csv\"\n\
             skus = \"skus.csv\"\n\
             positions = \"positions.csv\"\n\
             demand = \"demand.csv\"         # the true demand; or fitted from the history at load time:\n\
             # history = \"sales.csv\"       # (instead of demand)\n",
            plural(dcs),
            sp.replications,
            sp.seed,
        ));
        t.push_str(STRATEGIES);
        t
    }
}

/// Strategies act on what the tables leave to the locations (rationing, transfers): a policy in
/// positions.csv is the position's own and wins over a strategy's store-wide policy.
const STRATEGIES: &str = "
[strategies.pull]
description = \"the tables' policies; a short DC rations proportionally to what each store is owed\"
default = true

[strategies.tiered]
description = \"a short DC serves tier A stores first, then B, then C\"
warehouses = { rationing = \"tier_priority\" }

[strategies.rebalance]
description = \"weekly transfers from over- to under-covered stores of a region\"
rebalancing = { review_days = 7, trigger_days = 4, target_days = 12, lead_time = 1, cost_per_unit = 0.5, within = \"region\" }

[stress.supplier-strike]
description = \"the supplier ships nothing for five weeks from day 60: the DCs run dry\"
outages = [{ location = \"supplier\", first_day = 60, last_day = 94 }]
";

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn days(n: usize) -> String {
    if n == 1 { "1 day".into() } else { format!("{n} days") }
}
