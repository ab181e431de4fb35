//! Command-line interface: argument parsing (clap) and one function per command.
//!
//! Every request is checked before any work: the output folder can be written, the memory the
//! run needs is available, the thread count is useful ([`limits`], [`output`]); errors a flag
//! causes name the flag ([`blame`]). `run` lives in [`run`]; shards, `merge` and `report` in
//! [`shards`].

mod blame;
mod fit;
mod generate;
mod limits;
mod output;
mod run;
mod shards;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use echelon::experiment::Runs;
use echelon::experiment::{self, ExperimentError, OutputFile, Settings, compare, size, sweep};
use echelon::model::Model;
use echelon::report::{check, trace, write_atomic};
use echelon::results;
use echelon::runner::RunOptions;
use echelon::runner::budget::Keeps;
use echelon::scenario::{Patch, Scenario, ScenarioError, Variant};

use generate::{GenerateArgs, cmd_generate};
use limits::count;
use output::default_dir;
use run::cmd_run;
use shards::{Given, ShardSpec, cmd_merge, cmd_report};

/// Exit code for bad input (scenario or arguments).
pub const EXIT_BAD_INPUT: u8 = 2;

/// Most replications a run takes, as `simulation.replications` in a file.
const MAX_REPLICATIONS: u64 = 100_000_000;

/// Most measured days, as `simulation.days` in a file.
const MAX_DAYS: u64 = 10_000_000;

#[derive(Parser)]
#[command(
    name = "echelon",
    version,
    about = "Monte Carlo simulator of inventory networks: suppliers, warehouses, stores, strategies, KPI distributions",
    long_about = None,
    after_help = "Examples:\n  echelon run scenarios/winter-jackets.toml\n  echelon check scenarios/base-stock.toml\n  echelon trace scenarios/newsvendor.toml --out output/trace.csv\n  echelon compare scenarios/newsvendor.toml scenarios/base-stock.toml\n  echelon sweep scenarios/base-stock.toml --set locations.store.policy.level=150,160,170\n  echelon size scenarios/base-stock.toml --target fill_rate=0.97\n\nExit codes: 0 success, 1 failure (e.g. cannot write output), 2 bad input (also a run that\nwould need more memory than is available), 130 interrupted (Ctrl-C)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's Monte Carlo replications and write KPI distributions.
    #[command(
        after_help = "Examples:\n  echelon run scenarios/winter-jackets.toml\n  echelon run scenarios/base-stock.toml --replications 1000 --seed 7 --out output/bs\n  echelon run scenarios/newsvendor.toml --set locations.store.policy.level=60 --quiet\n  echelon run scenarios/winter-jackets.toml --plot-locations chicago-loop,dc-chicago --plots svg\n  echelon run scenarios/winter-jackets.toml --replications 40000 --shard 0/4 --out shards\n\nWrites into DIR (default output/<scenario stem>/, or output/<stem>-<strategy>-<stress>/ when\n--strategy and/or --stress is given; charts of an earlier run there that this run does not\nwrite are removed):\n  summary.json      KPI distributions (mean, sd, se, ci95, p5, p50, p95, min, max) for the\n                    network, every location, tier, segment, channel, SKU and region,\n                    and every position up to 10,000 positions\n  positions.csv     every position: mean and sd of its fill rate, stockout rate, stock,\n                    sales, turnover, GMROI and costs (any number of positions)\n  replications.csv  one row per replication and scope, every KPI\n  report.html       one self-contained page: facts, tables, charts, how to read them\n  results.echelon   the results as data, for `echelon report DIR` (redraw without simulating)\n  hist_fill_rate, hist_total_cost, hist_gmroi, hist_inventory_turnover (.png, .svg)\n                    network KPI across replications (mean, p5, p95 marked)\n  fan_network, fan_<location> (.png, .svg)   on hand and backorders per day: median,\n                    p25-p75 and p5-p95 bands (locations: --plot-locations, or the worst\n                    stores by fill rate and the warehouses)\n  bullwhip (.png, .svg)   variance of each echelon's orders / variance of customer demand\n  bullwhip_locations (.png, .svg)   variance of orders / variance of demand received,\n                    per location, grouped by echelon\n(no plot files with --no-plots; --plots png|svg picks one format)"
    )]
    Run(RunArgs),
    /// Validate a scenario and print its network as a tree.
    #[command(
        after_help = "Examples:\n  echelon check scenarios/winter-jackets.toml\n\nExit code 2 and a message per problem (file:line:column, key, what to change) if the file is invalid."
    )]
    Check(CheckArgs),
    /// Write one replication day by day: one row per day × location × SKU.
    #[command(
        after_help = "Examples:\n  echelon trace scenarios/newsvendor.toml --out output/newsvendor-trace.csv\n  echelon trace scenarios/base-stock.toml --replication 3 --days 30 --out trace.csv\n  echelon trace scenarios/newsvendor.toml --days 5 --out - | column -s, -t\n\nColumns: day, location, sku, demand, sold, lost, backorders, on_hand, on_order, ordered,\nreceived, shipped, in_transit, holding_cost, stockout_cost, order_cost,\nin_transit_holding_cost, supplier_up, pushed_in, transfer_in, transfer_out.\nEvery row balances: on_hand = previous on_hand + received - sold - shipped - transfer_out;\non_order = previous on_order + ordered + pushed_in + transfer_in - received."
    )]
    Trace(TraceArgs),
    /// Compare strategies, stress tests or scenario files on common random numbers.
    #[command(
        after_help = "Examples:\n  echelon compare scenarios/newsvendor.toml scenarios/base-stock.toml\n  echelon compare network.toml                       every strategy of the file\n  echelon compare network.toml --strategies push,pull --stress port-strike\n  echelon compare a.toml b.toml --replications 500 --out output/a-vs-b\n  echelon compare scenarios/winter-jackets.toml --scope location:chicago-loop --scope tier:A\n\nVariants: with one file, each strategy ([strategies.NAME]; all, or --strategies a,b) times\n(no stress + each --stress test), named `strategy` and `strategy+stress`; with several files,\neach file (named by its stem) times the stress tests. The first variant is the baseline unless\n--baseline names another. Every variant runs with the baseline's seed and replications, so they\nall see the same demand, lead times and disruptions (common random numbers).\n\nWrites into DIR (default output/<first stem>-compare/, or -compare-<stress>... with --stress):\n  comparison.json   {variants, baseline, replications, kpis: {variant: {kpi: summary}},\n                    paired: [{variant, baseline, kpi, mean, se, ci95, share_greater}]}\n  comparison.csv    one row per variant and KPI: summary and paired difference\n  box_fill_rate, box_total_cost, box_avg_on_hand (.png, .svg)   one box per variant\n  report.html       one self-contained page: variants, KPIs, paired differences, box plots"
    )]
    Compare(CompareArgs),
    /// Run a scenario over a grid of values of one or more keys (common random numbers).
    #[command(
        after_help = "Examples:\n  echelon sweep scenarios/base-stock.toml --set locations.store.policy.level=150,155,160,165,170\n  echelon sweep scenarios/newsvendor.toml --set locations.store.policy.level=50,55,60 --set locations.store.lead_time=1,2\n  echelon sweep scenarios/base-stock.toml --set 'demand.store.distribution={ type = \"poisson\", mean = 50 },{ type = \"normal\", mean = 50, sd = 8 }'\n\nEach --set PATH=V1,V2,... is one axis (commas inside [], {} or quotes belong to a value);\nseveral make a grid, the last varying fastest. A PATH=V with one value just sets it.\nEvery point runs with the same seed. Points that change only policy levels share one\ncompiled model.\n\nWrites into DIR (default output/<stem>-sweep/, or -sweep-<strategy>-<stress> when given):\n  sweep.json       axes, then per point its values and the KPI summaries of the network and\n                   of every location\n  sweep.csv        one row per point: values, then mean, se, p5, p95 of every network KPI\n  frontier.png/.svg  fill rate against average stock along the last axis\n  report.html      one self-contained page: the points, the lowest cost, the frontier"
    )]
    Sweep(SweepArgs),
    /// Find the smallest stock level per customer-facing position that meets a service target.
    #[command(
        after_help = "Examples:\n  echelon size scenarios/base-stock.toml --target fill_rate=0.97\n  echelon size scenarios/risk-pooling-decentralised.toml --target fill_rate=0.99 --confidence 0.9\n  echelon size scenarios/winter-jackets.toml --target 'stockout_rate<=0.05' --replications 200\n\nTargets: fill_rate=x (or >=), stockout_rate<=x, cycle_service=x; met by the mean across\nreplications, or with --confidence c in a share c of replications. Searched: the order-up-to\nlevel S of base-stock, the reorder point s of (s, S) keeping S - s, the reorder point r of\n(r, Q) keeping Q; upstream positions keep their levels. All positions are searched at once by\nbracketing and bisection on common random numbers.\n\nWrites into DIR (default output/<stem>-size-<target>/, e.g. output/base-stock-size-fill_rate-0.97/):\n  sizing.json   target, then per position: level, order_up_to, safety_stock (level - expected\n                demand over lead time + review - 1 days), achieved (summary), textbook_level\n                (normal approximation) and what it achieves; inventory investment at cost\n  sizing.csv    one row per position\n  frontier.png/.svg  network fill rate against stock with all safety stocks scaled x0..x2\n  report.html   one self-contained page: levels next to the textbook, investment, frontier"
    )]
    Size(SizeArgs),
    /// Merge the shards of a run, compare or sweep into the files one process would write.
    #[command(
        after_help = "Examples:\n  echelon run scenarios/winter-jackets.toml --shard 0/4 --out output/shards   (… 1/4, 2/4, 3/4)\n  echelon merge output/shards --out output/winter-jackets\n  echelon merge output/shards/shard-0-of-2.echelon output/shards/shard-1-of-2.echelon --out merged\n\nEach shard file names its command, arguments, seed, replication range and the text of its\nscenario files. The merge refuses shards of different studies or echelon versions, and\nmissing or overlapping ranges (exit 2, naming the shard to rerun); it writes exactly the\nfiles the one-process run with the same seed writes, byte for byte."
    )]
    Merge(MergeArgs),
    /// Redraw the charts and report.html of an output folder from its saved results.
    #[command(
        after_help = "Examples:\n  echelon report output/winter-jackets\n\nReads DIR/results.echelon (written by run, compare, sweep and merge) and writes summary.json,\nthe charts and report.html again, without simulating; replications.csv is left as it is."
    )]
    Report(ReportArgs),
    /// Write the tables of a synthetic retailer: locations, SKUs, policies, demand, sales history.
    #[command(
        after_help = "Examples:\n  echelon generate --stores 50 --skus 200 --out output/chain\n  echelon generate --stores 1000 --skus 1000 --days 0 --out output/big     no sales history: seconds\n  echelon generate --stores 20 --skus 100 --days 730 --dcs 3 --seed 7 --out output/two-years\n\nWrites into DIR (created if missing; a non-empty DIR needs --force):\n  locations.csv   a supplier, the DCs (one per region) and the stores (region, tier A/B/C)\n  skus.csv        cost, price, holding, stockout and order cost, category\n  positions.csv   a policy per DC and store position (base-stock, (s, S); units, days, service)\n  demand.csv      the true demand per store position: poisson, negative_binomial or\n                  intermittent, weekly and monthly multipliers, trend\n  sales.csv       --days days of daily sales before the start date, drawn from demand.csv,\n                  with on_hand (0 = a censored stockout day); a missing day is zero sales\n  scenario.toml   loads the tables ([tables]), with strategies and a stress test\n\nsales.csv grows with stores x SKUs x days: 1000 x 1000 x 365 is about 30 million rows\n(about 1 GB, some 10 seconds); the other files of 1000 x 1000 take a second or two.\nThe same arguments write the same bytes."
    )]
    Generate(GenerateArgs),
    /// Fit each position's demand from a sales history and write demand.csv.
    #[command(
        after_help = "Examples:\n  echelon fit sales.csv --out demand.csv\n  echelon fit sales.csv --method bootstrap --out demand.csv\n  echelon fit sales.csv --out - --quiet | head\n\nsales.csv has columns date (YYYY-MM-DD), location, sku, units, and optionally on_hand or\nin_stock (days out of stock are left out of the fit); a missing day is a day without sales.\nPer position: level, weekday and month indices, trend, and the distribution by dispersion\n(poisson, negative_binomial, normal, intermittent); --method bootstrap writes the whole weeks of\nhistory instead (weeks demand, replayed at random). demand.csv is what [tables] demand = ...\nloads; [tables] history = \"sales.csv\" fits the same at load time. Exit 2 with\nfile:line:column for a bad cell."
    )]
    Fit(fit::FitArgs),
}

#[derive(Args)]
struct MergeArgs {
    /// Shard files, or folders holding them (*.echelon).
    #[arg(required = true, value_name = "SHARD_OR_DIR")]
    shards: Vec<PathBuf>,
    /// Output folder for the merged files.
    #[arg(long, value_name = "DIR", required = true)]
    out: PathBuf,
    /// No table; only errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct ReportArgs {
    /// An output folder of run, compare, sweep or merge.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// No table; only errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Options shared by the experiment commands (compare, sweep, size).
#[derive(Args, Clone)]
struct ExperimentArgs {
    /// Output folder [default: output/<scenario stem>-<command>/, naming the stress tests,
    /// target, strategy when given].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replications per run, 1 to 100000000 (overrides simulation.replications).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_REPLICATIONS))]
    replications: Option<u64>,
    /// Base seed (overrides simulation.seed); every run of the experiment uses it.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores; at most 4 per core are used]; results do not depend
    /// on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    threads: Option<u64>,
    /// No progress bar and no table; only errors.
    #[arg(long, short)]
    quiet: bool,
    /// Run only shard I of N (0-based): a block of about R/N of the R replications, written to
    /// DIR/shard-I-of-N.echelon for `echelon merge`; I may be `env` (from ECHELON_SHARD_INDEX,
    /// SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
}

impl ExperimentArgs {
    fn settings(&self) -> Settings {
        Settings {
            replications: self.replications.map(|r| r as usize),
            seed: self.seed,
            threads: limits::threads(self.threads, self.replications.map(|r| r as usize)),
            quiet: self.quiet,
            runs: Runs::default(),
        }
    }

    /// `--out`, or `output/<stem>-<parts...>`; checked to be writable before any work.
    fn out_dir<'a>(&self, scenario: &Path, parts: impl IntoIterator<Item = &'a str>) -> Result<PathBuf, Failure> {
        let out = self.out.clone().unwrap_or_else(|| default_dir(&stem(scenario), parts));
        output::prepare_dir(&out, "--out")?;
        Ok(out)
    }

    /// Refuses an experiment whose runs of `sc` would need more memory than is available;
    /// `series` = network KPI series kept per replication across the runs.
    fn check_memory(settings: &Settings, sc: &Scenario, series: usize) -> Result<(), Failure> {
        let reps = settings.options(sc).replications;
        let model = Model::compile(sc);
        let keeps = Keeps { csv: None, extra_network_series: series };
        limits::check_memory(&model, reps, settings.threads, keeps, "each run of this experiment")
    }
}

#[derive(Args)]
struct CompareArgs {
    /// One scenario file with strategies, or several files: variants of one network.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Strategies to compare, in order (one file only) [default: all of the file's].
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    strategies: Vec<String>,
    /// Stress tests: every variant is also run under each of them.
    #[arg(long, value_name = "S1,S2,...", value_delimiter = ',')]
    stress: Vec<String>,
    /// The variant the others are compared with [default: the first].
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// Also compare the KPIs of a location, tier, segment, channel or region: location:ID,
    /// tier:LABEL, segment:LABEL, channel:NAME or region:NAME (repeatable).
    #[arg(long = "scope", value_name = "KIND:NAME")]
    scope: Vec<String>,
    /// Override a scenario value in every variant before validation (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Measured days per replication, 1 to 10000000 (overrides simulation.days).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_DAYS))]
    days: Option<u64>,
    #[command(flatten)]
    exp: ExperimentArgs,
}

#[derive(Args)]
struct SweepArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// An axis of the grid: PATH=V1,V2,... (repeatable; several make a grid).
    #[arg(long = "set", value_name = "PATH=V1,V2,...", required = true)]
    set: Vec<String>,
    /// Measured days per replication, 1 to 10000000 (overrides simulation.days).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_DAYS))]
    days: Option<u64>,
    /// Run the strategy of this name ([strategies.NAME] in the file) instead of the default.
    #[arg(long, value_name = "NAME")]
    strategy: Option<String>,
    /// Apply the stress test of this name ([stress.NAME] in the file).
    #[arg(long, value_name = "NAME")]
    stress: Option<String>,
    #[command(flatten)]
    exp: ExperimentArgs,
}

#[derive(Args)]
struct SizeArgs {
    #[command(flatten)]
    input: ScenarioArgs,
    /// Service target: fill_rate=0.97, stockout_rate<=0.05 or cycle_service=0.95.
    #[arg(long, value_name = "MEASURE=VALUE")]
    target: String,
    /// Meet the target in this share of replications instead of on the mean, e.g. 0.9.
    #[arg(long, value_name = "C")]
    confidence: Option<f64>,
    #[command(flatten)]
    exp: ExperimentArgs,
}

/// Options shared by commands that load a scenario.
#[derive(Args, Clone)]
struct ScenarioArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Override a scenario value before validation, e.g. --set locations.store.policy.level=60
    /// (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Measured days per replication, 1 to 10000000 (overrides simulation.days).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_DAYS))]
    days: Option<u64>,
    /// Run the strategy of this name ([strategies.NAME] in the file) instead of the default.
    #[arg(long, value_name = "NAME")]
    strategy: Option<String>,
    /// Apply the stress test of this name ([stress.NAME] in the file).
    #[arg(long, value_name = "NAME")]
    stress: Option<String>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    input: ScenarioArgs,
    /// Output folder [default: output/<scenario stem>/, or output/<stem>-<strategy>-<stress>/
    /// when a strategy or stress test is given].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replications, 1 to 100000000 (overrides simulation.replications).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_REPLICATIONS))]
    replications: Option<u64>,
    /// Base seed (overrides simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores; at most 4 per core are used]; results do not depend
    /// on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    threads: Option<u64>,
    /// No progress bar and no table; only errors.
    #[arg(long, short)]
    quiet: bool,
    /// Include per-position rows in replications.csv [default: when there are at most 200
    /// positions].
    #[arg(long)]
    position_rows: bool,
    /// Run only shard I of N (0-based): a block of about R/N of the R replications, written to
    /// DIR/shard-I-of-N.echelon for `echelon merge`; I may be `env` (from ECHELON_SHARD_INDEX,
    /// SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,

    /// Write no plot files (report.html then has tables only); also skips the day-by-day
    /// records the fan charts need.
    #[arg(long, conflicts_with_all = ["plots", "plot_locations"])]
    no_plots: bool,
    /// Plot file formats.
    #[arg(long, value_enum, default_value_t = PlotFormats::Both, value_name = "FORMAT")]
    plots: PlotFormats,
    /// Locations that get a fan chart of their stock over time [default: the up to 3
    /// customer-facing locations with the lowest fill rate, then the warehouses; at most 6].
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    plot_locations: Option<Vec<String>>,
}

/// Which plot files `run` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum PlotFormats {
    /// PNG images only.
    Png,
    /// SVG drawings only.
    Svg,
    /// Both.
    Both,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    input: ScenarioArgs,
}

#[derive(Args)]
struct TraceArgs {
    #[command(flatten)]
    input: ScenarioArgs,
    /// Which replication to trace (0-based).
    #[arg(long, default_value_t = 0)]
    replication: u64,
    /// Base seed (overrides simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// CSV file to write (`-`: standard output).
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
}

/// A failure with its exit code.
pub struct Failure {
    /// Exit code: 1 failure, 2 bad input.
    pub code: u8,
    /// What to print on stderr (`error: ...` and a `help:` line).
    pub message: String,
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure { code: 1, message: format!("error: {e:#}") }
    }
}

/// A bad-input failure (exit code 2).
fn bad_input(message: String) -> Failure {
    Failure { code: EXIT_BAD_INPUT, message }
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        bad_input(scenario_message(&e))
    }
}

/// How the terminal shows a scenario error: `error: ` before each problem, its fix on an
/// indented `help:` line, and a count (the library's own text is plain).
fn scenario_message(e: &ScenarioError) -> String {
    let list = match e {
        ScenarioError::Io { path, reason, help } => {
            return format!("cannot read scenario file '{path}': {reason}\n    help: {help}");
        }
        ScenarioError::Invalid(list) => list,
    };
    let mut s = String::new();
    for (i, d) in list.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&format!("error: {d}"));
        if let Some(h) = d.help() {
            s.push_str(&format!("\n    help: {h}"));
        }
    }
    let n = list.len();
    s.push_str(&format!("\n{n} problem{} found", if n == 1 { "" } else { "s" }));
    s
}

impl From<ExperimentError> for Failure {
    fn from(e: ExperimentError) -> Self {
        let message = match &e {
            ExperimentError::Scenario(s) => scenario_message(s),
            ExperimentError::Point { point, source } => {
                format!("error: sweep point {point} does not load:\n{}", scenario_message(source))
            }
            ExperimentError::Input { message, help } => format!("error: {message}\n    help: {help}"),
            other => format!("error: {other}"),
        };
        Failure { code: if e.is_bad_input() { EXIT_BAD_INPUT } else { 1 }, message }
    }
}

/// Parses arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    output::on_interrupt_clean_up();
    let result = match cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Check(a) => cmd_check(a),
        Command::Trace(a) => cmd_trace(a),
        Command::Compare(a) => cmd_compare(a),
        Command::Sweep(a) => cmd_sweep(a),
        Command::Size(a) => cmd_size(a),
        Command::Merge(a) => cmd_merge(a),
        Command::Report(a) => cmd_report(a),
        Command::Generate(a) => cmd_generate(a),
        Command::Fit(a) => fit::cmd_fit(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// The variant the arguments ask for: strategy, stress test, `--set` and `--days`.
fn variant(a: &ScenarioArgs) -> Result<Variant, Failure> {
    Ok(Variant { strategy: a.strategy.clone(), stress: a.stress.clone(), patches: patches(&a.set, a.days)? })
}

/// Patches of `--set PATH=VALUE` options and `--days`.
fn patches(set: &[String], days: Option<u64>) -> Result<Vec<Patch>, Failure> {
    let mut patches = Vec::new();
    for s in set {
        patches.push(Patch::parse(s, "--set").map_err(|e| bad_input(format!("error: --set {e}")))?);
    }
    if let Some(d) = days {
        patches.push(Patch {
            path: "simulation.days".into(),
            value: d.to_string(),
            origin: "--days".into(),
            ..Patch::default()
        });
    }
    Ok(patches)
}

/// Loads and validates the scenario variant the arguments ask for; prints its warnings.
fn load(a: &ScenarioArgs) -> Result<Scenario, Failure> {
    let sc = blame::load(&a.scenario, &variant(a)?)?;
    print_warnings([&sc], &mut Vec::new());
    Ok(sc)
}

/// Prints the scenarios' validation warnings on stderr (`warning: ` and an indented `help:`
/// line, like errors), each once: `printed` remembers what was shown already.
fn print_warnings<'a>(scenarios: impl IntoIterator<Item = &'a Scenario>, printed: &mut Vec<String>) {
    for w in scenarios.into_iter().flat_map(|sc| &sc.warnings) {
        let text = match w.help() {
            Some(h) => format!("warning: {w}\n    help: {h}"),
            None => format!("warning: {w}"),
        };
        if !printed.contains(&text) {
            eprintln!("{text}");
            printed.push(text);
        }
    }
}

fn stem(p: &Path) -> String {
    p.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

fn display_name(sc: &Scenario, path: &Path) -> String {
    if sc.name.is_empty() { stem(path) } else { sc.name.clone() }
}

fn cmd_check(a: CheckArgs) -> Result<(), Failure> {
    let sc = load(&a.input)?;
    say(format_args!("{}", check::check_text(&sc, &a.input.scenario.display().to_string())));
    Ok(())
}

fn cmd_trace(a: TraceArgs) -> Result<(), Failure> {
    let sc = load(&a.input)?;
    let to_stdout = a.out.as_os_str() == "-";
    if !to_stdout {
        output::prepare_file(&a.out, "--out")?;
    }
    let seed = a.seed.unwrap_or(sc.simulation.seed);
    let model = Model::compile(&sc);
    limits::check_trace(&model)?;
    let csv = trace::trace_csv(&model, seed, a.replication);
    if to_stdout {
        say(format_args!("{csv}"));
        return Ok(());
    }
    write_atomic(&a.out, csv.as_bytes()).with_context(|| format!("writing {}", a.out.display()))?;
    let rows = csv.lines().count().saturating_sub(1);
    say(format_args!(
        "wrote {} ({}: {} × {})\n",
        a.out.display(),
        count(rows as u64, "row"),
        count(model.days as u64, "day"),
        count(model.n_pos() as u64, "position")
    ));
    Ok(())
}

/// Prints to stdout. The work is done when this runs: a closed pipe (`| head`) is no reason to
/// fail or panic, so write errors are ignored.
fn say(text: std::fmt::Arguments) {
    let _ = std::io::stdout().lock().write_fmt(text);
}

/// Writes an experiment's files and, unless quiet, prints its table, warnings and the paths.
/// `charts`: the names the command gives its charts (see [`output::tidy`]).
fn finish_experiment(
    table: String,
    (files, mut warnings): (Vec<OutputFile>, Vec<String>),
    out: &Path,
    charts: &[&str],
    quiet: bool,
) -> Result<(), Failure> {
    let written = experiment::write_files(out, &files)?;
    warnings.extend(output::tidy(out, &written, charts));
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if !quiet {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        say(format_args!("{table}\nwrote {}\n", names.join(", ")));
    }
    Ok(())
}

/// A failed load of experiment variants, with problems caused by `--set`/`--days` blamed on
/// the flag (the experiments load the files themselves).
fn blamed(e: ExperimentError, files: &[PathBuf], patches: &[Patch]) -> Failure {
    if matches!(e, ExperimentError::Scenario(_)) && !patches.is_empty() {
        for f in files {
            if let Err(b) = blame::load(f, &Variant { patches: patches.to_vec(), ..Variant::default() }) {
                return b.into();
            }
        }
    }
    e.into()
}

fn cmd_compare(a: CompareArgs) -> Result<(), Failure> {
    compare_or_replay(a, None)
}

fn compare_or_replay(a: CompareArgs, given: Option<Given>) -> Result<(), Failure> {
    let shard = a.exp.shard.as_deref().map(ShardSpec::parse).transpose()?;
    let patches = patches(&a.set, a.days)?;
    let scopes = a.scope.iter().map(|s| compare::ScopeSpec::parse(s)).collect::<Result<Vec<_>, _>>()?;
    let variants = if let [one] = a.scenarios.as_slice() {
        compare::strategy_variants(one, &a.strategies, &a.stress, &patches)
    } else {
        if !a.strategies.is_empty() {
            return Err(bad_input(
                "error: --strategies picks strategies of one file, but several files were given\n    help: \
                 compare either the strategies of one file or several files"
                    .into(),
            ));
        }
        let paths: Vec<&Path> = a.scenarios.iter().map(PathBuf::as_path).collect();
        compare::file_variants(&paths, &a.stress, &patches)
    }
    .map_err(|e| blamed(e, &a.scenarios, &patches))?;
    let mut settings = a.exp.settings();
    print_warnings(variants.iter().map(|v| &v.scenario), &mut Vec::new());
    let baseline = match &a.baseline {
        None => 0,
        Some(b) => variants.iter().position(|v| &v.name == b).ok_or_else(|| {
            let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
            bad_input(format!("error: --baseline: no variant named '{b}'\n    help: variants: {}", names.join(", ")))
        })?,
    };
    if let Some(base) = variants.get(baseline) {
        ExperimentArgs::check_memory(&settings, &base.scenario, variants.len())?;
    }
    let parts = std::iter::once("compare")
        .chain(a.stress.iter().map(String::as_str))
        .chain(shard.is_some().then_some("shards"));
    let out = a.exp.out_dir(&a.scenarios[0], parts)?;
    let opts = variants.get(baseline).map(|b| settings.options(&b.scenario));
    settings.runs = runs_for(shard, given);
    let c = compare::compare_scoped(variants, baseline, &settings, &scopes)?;
    if settings.runs.unused() > 0 {
        return Err(bad_input("error: the merged results hold more runs than this experiment makes\n    help: merge shard files written by this experiment".into()));
    }
    if let (Some(s), Some(opts)) = (shard, opts) {
        return write_shard("compare", s, &opts, &settings, &out, a.exp.quiet);
    }
    finish_experiment(c.table(), c.files(), &out, &["box_"], a.exp.quiet)
}

/// Where an experiment's runs come from: simulated whole, one shard of each, or given.
fn runs_for(shard: Option<ShardSpec>, given: Option<Given>) -> Runs {
    match (shard, given) {
        (_, Some(g)) => Runs::merged(g.runs),
        (Some(s), None) => Runs::shard(s.index, s.count),
        (None, None) => Runs::default(),
    }
}

/// Writes the shard file of an experiment run as shard `s`.
fn write_shard(
    command: &str,
    s: ShardSpec,
    opts: &RunOptions,
    settings: &Settings,
    out: &Path,
    quiet: bool,
) -> Result<(), Failure> {
    let total = opts.replications as u64;
    let range = results::shard_range(s.index, s.count, total);
    let header = shards::header(command, opts.seed, total, [range.start, range.end], Some(s));
    let file = out.join(s.file_name());
    let runs = settings.runs.take_results();
    results::write(&file, header, &runs, None)?;
    if !quiet {
        say(format_args!(
            "shard {} of {}: replications {}..{} of {total} in {}\nwrote {}\n",
            s.index,
            s.count,
            range.start,
            range.end,
            count(runs.len() as u64, "run"),
            file.display()
        ));
    }
    Ok(())
}

fn cmd_sweep(a: SweepArgs) -> Result<(), Failure> {
    sweep_or_replay(a, None)
}

fn sweep_or_replay(a: SweepArgs, given: Option<Given>) -> Result<(), Failure> {
    let shard = a.exp.shard.as_deref().map(ShardSpec::parse).transpose()?;
    let mut axes = Vec::new();
    let mut fixed = patches(&[], a.days)?;
    for s in &a.set {
        let axis = sweep::Axis::parse(s)?;
        // A single value is no axis: it is a plain override of every point.
        if axis.values.len() == 1 {
            fixed.push(Patch::parse(s, "--set").map_err(|e| bad_input(format!("error: --set {e}")))?);
        } else {
            axes.push(axis);
        }
    }
    if axes.is_empty() {
        return Err(bad_input(
            "error: no --set lists more than one value, so there is nothing to sweep\n    help: give a list, \
             e.g. --set locations.store.policy.level=40,50,60"
                .into(),
        ));
    }
    let printed = std::cell::RefCell::new(Vec::new());
    let load = |point: &[Patch]| {
        let mut p = fixed.clone();
        p.extend_from_slice(point);
        let sc =
            blame::load(&a.scenario, &Variant { strategy: a.strategy.clone(), stress: a.stress.clone(), patches: p })?;
        print_warnings([&sc], &mut printed.borrow_mut());
        Ok(sc)
    };
    let mut settings = a.exp.settings();
    // The first point stands for all in the memory check (they share the network).
    let first: Vec<Patch> =
        axes.iter().filter_map(|ax| Patch::parse(&format!("{}={}", ax.path, ax.values[0]), "--set").ok()).collect();
    let parts = [
        "sweep",
        a.strategy.as_deref().unwrap_or(""),
        a.stress.as_deref().unwrap_or(""),
        if shard.is_some() { "shards" } else { "" },
    ];
    let (out, opts) = match load(&first) {
        Ok(sc) => {
            ExperimentArgs::check_memory(&settings, &sc, 0)?;
            (Some(a.exp.out_dir(&a.scenario, parts)?), Some(settings.options(&sc)))
        }
        // The sweep reports the point that does not load, in its words, before any run.
        Err(_) => (None, None),
    };
    settings.runs = runs_for(shard, given);
    let result = sweep::sweep(load, &axes, &settings)?;
    if settings.runs.unused() > 0 {
        return Err(bad_input("error: the merged results hold more runs than this experiment makes\n    help: merge shard files written by this experiment".into()));
    }
    let out = match out {
        Some(out) => out,
        None => a.exp.out_dir(&a.scenario, parts)?,
    };
    if let (Some(s), Some(opts)) = (shard, opts) {
        return write_shard("sweep", s, &opts, &settings, &out, a.exp.quiet);
    }
    finish_experiment(result.table(), result.files(), &out, &["frontier", "cost_curve"], a.exp.quiet)
}

fn cmd_size(a: SizeArgs) -> Result<(), Failure> {
    if a.exp.shard.is_some() {
        return Err(bad_input(
            "error: --shard: size searches level by level, each run depending on the last, so it does not split \
             into shards\n    help: run size on one machine (it runs only as many replications as each step needs)"
                .into(),
        ));
    }
    let target = size::Target::parse(&a.target, a.confidence)?;
    let sc = load(&a.input)?;
    let settings = a.exp.settings();
    ExperimentArgs::check_memory(&settings, &sc, 0)?;
    let confidence = a.confidence.map(|c| format!("c{c}")).unwrap_or_default();
    let (strategy, stress) = (a.input.strategy.as_deref().unwrap_or(""), a.input.stress.as_deref().unwrap_or(""));
    let parts = ["size", a.target.as_str(), confidence.as_str(), strategy, stress];
    let out = a.exp.out_dir(&a.input.scenario, parts)?;
    let mut model = Model::compile_arc(Arc::new(sc));
    let result = size::size(&mut model, &target, &settings)?;
    finish_experiment(result.table(), result.files(), &out, &["frontier"], a.exp.quiet)
}
