//! `echelon run`: the plan checked before any work, the simulation with replications.csv
//! written as it goes, and the one path from results to files that a merge and `report` replay.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use echelon::model::Model;
use echelon::report::positions;
use echelon::report::summary::{RowWriter, RunMeta, summary_json};
use echelon::report::{Staged, figures, html, table};
use echelon::results;
use echelon::runner::budget::Keeps;
use echelon::runner::{self, CancelToken, Hooks, Progress, RunOptions, RunResult};
use echelon::scenario::Scenario;

use super::limits::{self, count};
use super::output::{self, default_dir};
use super::shards::{self, Given, SAVED, ShardSpec};
use super::{Failure, PlotFormats, RunArgs, bad_input, display_name, load, say, stem};

/// A run, checked and ready: nothing is simulated before all of this succeeded.
struct RunPlan {
    model: Model,
    opts: RunOptions,
    name: String,
    out: PathBuf,
    plot_locations: Option<Vec<usize>>,
    shard: Option<ShardSpec>,
}

/// Loads and compiles the scenario, then checks the request before any work: plot locations,
/// threads, memory and the output folder.
fn plan_run(a: &RunArgs) -> Result<RunPlan, Failure> {
    let shard = a.shard.as_deref().map(ShardSpec::parse).transpose()?;
    let t0 = Instant::now();
    let busy = output::Busy::start(&format!("loading {}", a.input.scenario.display()), a.quiet);
    let sc = load(&a.input)?;
    let t_load = t0.elapsed().as_secs_f64();
    busy.say(&format!("compiling {} stocking positions", sc.positions.len()));
    let name = display_name(&sc, &a.input.scenario);
    let plot_locations = match &a.plot_locations {
        Some(names) => Some(plot_locations(&sc, names)?),
        None => None,
    };
    let out = a.out.clone().unwrap_or_else(|| {
        // Named as asked: a file's default strategy keeps the plain folder.
        let parts = [
            a.input.strategy.as_deref().unwrap_or(""),
            a.input.stress.as_deref().unwrap_or(""),
            if shard.is_some() { "shards" } else { "" },
        ];
        default_dir(&stem(&a.input.scenario), parts)
    });
    let mut model = Model::compile_arc(Arc::new(sc));
    drop(busy);
    limits::release_freed_memory();
    if std::env::var_os("ECHELON_TIMING").is_some() {
        // Resident memory once loaded (Linux): what the budget's per-position share is from.
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let rss = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("").split_whitespace().nth(1);
        eprintln!(
            "load {t_load:.3} compile {:.3} resident {} kB",
            t0.elapsed().as_secs_f64() - t_load,
            rss.unwrap_or("?")
        );
    }
    // The fan charts need the day-by-day records of the first replications.
    model.record_daily = !a.no_plots;
    let mut opts = RunOptions::from_model(&model);
    if let Some(r) = a.replications {
        opts.replications = r as usize;
    }
    if let Some(s) = a.seed {
        opts.seed = s;
    }
    opts.threads = limits::threads(a.threads, Some(opts.replications));
    let keeps = Keeps { csv: Some(position_rows(a, &model)), ..Keeps::default() };
    limits::check_memory(&model, opts.replications, opts.threads, keeps, "this run")?;
    output::prepare_dir(&out, "--out")?;
    Ok(RunPlan { model, opts, name, out, plot_locations, shard })
}

/// Whether replications.csv has per-position rows.
fn position_rows(a: &RunArgs, m: &Model) -> bool {
    a.position_rows || m.n_pos() <= 200
}

/// Resolves `--plot-locations` names, with a did-you-mean for a misspelt one.
fn plot_locations(sc: &Scenario, names: &[String]) -> Result<Vec<usize>, Failure> {
    figures::resolve_locations(sc, names).map_err(|e| {
        let stocking: Vec<&str> = sc
            .locations
            .iter()
            .filter(|l| l.kind != echelon::scenario::LocationKind::Supplier)
            .map(|l| l.id.as_str())
            .collect();
        let unknown = names.iter().map(|n| n.trim()).find(|n| sc.location_index(n).is_none());
        let help = match unknown.and_then(|n| echelon::scenario::closest(n, stocking.iter().copied())) {
            Some(best) => format!("did you mean '{best}'? (--plot-locations takes ids of stocking locations)"),
            None => format!(
                "write e.g. --plot-locations {}",
                stocking.iter().take(2).copied().collect::<Vec<_>>().join(",")
            ),
        };
        bad_input(format!("error: --plot-locations: {e}\n    help: {help}"))
    })
}

pub(super) fn cmd_run(a: RunArgs) -> Result<(), Failure> {
    run_or_replay(a, None)
}

/// `run`, or its replay with merged or saved results in place of the simulation (`merge`,
/// `report`): one path from results to files, so a merge writes what the run would have.
pub(super) fn run_or_replay(a: RunArgs, given: Option<Given>) -> Result<(), Failure> {
    let plan = plan_run(&a)?;
    let started = Instant::now();
    let mut staged =
        Staged::new(&plan.out).with_context(|| format!("cannot create output folder {}", plan.out.display()))?;
    let total = plan.opts.replications as u64;
    let (result, merged) = match given {
        Some(g) => {
            if !g.rows.is_empty() {
                let mut w =
                    std::io::BufWriter::new(staged.create("replications.csv").context("writing replications.csv")?);
                let header = RowWriter::new(&plan.model, position_rows(&a, &plan.model)).header();
                w.write_all(header.as_bytes()).context("writing replications.csv")?;
                for s in &g.rows {
                    s.copy_rows(&mut w)?;
                }
                w.flush().context("writing replications.csv")?;
            }
            let n = g.rows.len();
            let result = match g.runs.into_iter().next() {
                Some(r) if r.scopes == runner::scopes_of(&plan.model) => r,
                _ => {
                    return Err(bad_input(
                        "error: the saved results do not fit the run they name (damaged or edited)\n    help: run \
                         the shards again, or the run"
                            .into(),
                    ));
                }
            };
            (result, Some(n))
        }
        None => (simulate(&a, &plan, &mut staged)?, None),
    };
    let sim_secs = started.elapsed().as_secs_f64();
    let RunPlan { model, opts, name, out, plot_locations, shard } = plan;
    if let Some(s) = shard {
        let file = out.join(s.file_name());
        let header = shards::header("run", opts.seed, total, [result.range().start, result.range().end], Some(s));
        let rows = staged.staged_path(&format!("{}.rows", s.file_name())).map(Path::to_path_buf);
        results::write(&file, header, std::slice::from_ref(&result), rows.as_deref())?;
        drop(staged);
        if !a.quiet {
            say(format_args!(
                "shard {} of {}: replications {}..{} of {total} in {sim_secs:.2} s\nwrote {}\n",
                s.index,
                s.count,
                result.range().start,
                result.range().end,
                file.display()
            ));
        }
        return Ok(());
    }
    let meta = RunMeta {
        scenario: name.clone(),
        file: a.input.scenario.display().to_string(),
        strategy: model.scenario.strategy.clone(),
        stress: model.scenario.stress.clone(),
    };
    let (written, warnings) = write_run(&a, &model, &result, &meta, plot_locations, staged, &out)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if !a.quiet {
        let sums = result.summaries();
        let pos_days = model.n_pos() as f64 * model.total_days as f64 * opts.replications as f64;
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let how = match merged {
            Some(0) => "redrawn from the saved results".to_string(),
            Some(n) => format!("merged from {}", count(n as u64, "shard")),
            None => format!(
                "{:.1} M location-SKU-days simulated in {:.2} s ({:.0} M/s); {:.2} s with output",
                pos_days / 1e6,
                sim_secs,
                pos_days / 1e6 / sim_secs.max(1e-9),
                started.elapsed().as_secs_f64()
            ),
        };
        say(format_args!(
            "{}\n{how}\nwrote {}\n",
            table::run_table(&model, &result, &sums, &run_title(&model, &opts, &name)),
            names.join(", ")
        ));
    }
    Ok(())
}

/// Simulates the plan's replications (a shard's only), writing replications.csv rows into
/// `staged` as they come.
fn simulate(a: &RunArgs, plan: &RunPlan, staged: &mut Staged) -> Result<RunResult, Failure> {
    let total = plan.opts.replications as u64;
    let range = plan.shard.map_or(0..total, |s| results::shard_range(s.index, s.count, total));
    let file = match plan.shard {
        Some(s) => format!("{}.rows", s.file_name()),
        None => "replications.csv".to_string(),
    };
    let mut w = std::io::BufWriter::new(staged.create(&file).context("writing replications.csv")?);
    let rows = RowWriter::new(&plan.model, position_rows(a, &plan.model));
    if plan.shard.is_none() {
        w.write_all(rows.header().as_bytes()).context("writing replications.csv")?;
    }
    let mut failed = None;
    let mut sink = |first: u64, block: &[Vec<f64>]| {
        if failed.is_none()
            && let Err(e) = w.write_all(&rows.rows(first, block))
        {
            failed = Some(e);
        }
    };
    let progress = Progress::new(range.end - range.start, &plan.name, a.quiet);
    let never = CancelToken::new();
    let hooks = Hooks { progress: &progress, on_block: &|_| {}, cancel: &never, rows: Some(&mut sink) };
    let result = runner::run_range(&plan.model, &plan.opts, range, hooks).expect("never cancelled");
    progress.finish();
    if let Some(e) = failed {
        return Err(anyhow::Error::from(e).context("writing replications.csv").into());
    }
    w.flush().context("writing replications.csv")?;
    Ok(result)
}

/// Computes a run's files and writes them into `out` (where replications.csv is already
/// staged); removes an earlier run's charts there. Returns the paths written and warnings.
fn write_run(
    a: &RunArgs,
    model: &Model,
    result: &RunResult,
    meta: &RunMeta,
    plot_locations: Option<Vec<usize>>,
    mut staged: Staged,
    out: &Path,
) -> Result<(Vec<PathBuf>, Vec<String>), Failure> {
    let t0 = Instant::now();
    let sums = result.summaries();
    let t_sum = t0.elapsed().as_secs_f64();
    let json = summary_json(model, result, &sums, meta);
    let t_json = t0.elapsed().as_secs_f64();
    let plots = !a.no_plots;
    // Charts never fail the run: what cannot be drawn or written is a warning.
    let (figs, mut warnings) = if plots {
        let fo = figures::FigureOptions { png: a.plots != PlotFormats::Svg, locations: plot_locations };
        figures::run_figures(model, result, &sums, &meta.scenario, &fo)
    } else {
        (Vec::new(), Vec::new())
    };
    let t_plots = t0.elapsed().as_secs_f64();
    let note = (!plots).then_some("Charts were not drawn for this run (--no-plots).");
    let report = html::run_report(model, result, &sums, meta, &figs, note);
    let t_html = t0.elapsed().as_secs_f64();

    staged.add("summary.json", &json).context("writing summary.json")?;
    staged.add("positions.csv", &positions::positions_csv(model, result)).context("writing positions.csv")?;
    let (png, svg) = (a.plots != PlotFormats::Svg, a.plots != PlotFormats::Png);
    for f in &figs {
        for (file, bytes) in f.files(png, svg) {
            if let Err(e) = staged.add(&file, bytes) {
                warnings.push(format!("{file} not written: {e}"));
            }
        }
    }
    staged.add("report.html", &report).context("writing report.html")?;
    let total = result.replications as u64;
    let header = shards::header("run", result.seed, total, [0, total], None);
    results::stage(&mut staged, SAVED, header, std::slice::from_ref(result), None).context("writing results")?;
    let t_stage = t0.elapsed().as_secs_f64();
    if std::env::var_os("ECHELON_TIMING").is_some() {
        eprintln!("summaries {t_sum:.3} json {t_json:.3} plots {t_plots:.3} html {t_html:.3} staged {t_stage:.3}");
    }
    let written = staged.commit().with_context(|| format!("writing into {}", out.display()))?;
    warnings.extend(output::tidy(out, &written, &RUN_CHARTS));
    Ok((written, warnings))
}

/// Names of the charts `run` writes (hist_<kpi>, fan_<location>, bullwhip..., service).
const RUN_CHARTS: [&str; 4] = ["hist_", "fan_", "bullwhip", "service"];

/// "winter-jackets · strategy push — 200 replications × 365 days, seed 1".
fn run_title(model: &Model, opts: &RunOptions, name: &str) -> String {
    let mut label = name.to_string();
    if let Some(st) = &model.scenario.strategy {
        label.push_str(&format!(" · strategy {st}"));
    }
    if let Some(st) = &model.scenario.stress {
        label.push_str(&format!(" · stress {st}"));
    }
    let warm = if model.warmup > 0 {
        format!(" (after {} warm-up)", count(model.warmup as u64, "day"))
    } else {
        String::new()
    };
    format!(
        "{label} — {} × {}{warm}, seed {}",
        count(opts.replications as u64, "replication"),
        count(model.days as u64, "day"),
        opts.seed
    )
}
