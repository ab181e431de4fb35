//! Shards, merges and saved results: `--shard I/N` on run, compare and sweep; `echelon merge`;
//! `echelon report`.
//!
//! A shard runs one block of the replications and writes a results file
//! ([`echelon::results`]) naming the command, its arguments and the scenario files' text. A merge
//! checks the shards, merges their results exactly and then *replays* the command from the
//! saved arguments with the merged results in place of the simulation, through the same code
//! that writes a one-process run's files; so the files are byte-identical to that run's.

use std::path::{Path, PathBuf};

use echelon::results::{self, FORMAT_VERSION, Header, ResultsError, ResultsFile, Source};
use echelon::runner::RunResult;
use echelon::scenario::sources;

use clap::Parser as _;

use super::run::run_or_replay;
use super::{Cli, Command, Failure, MergeArgs, ReportArgs, bad_input, compare_or_replay, sweep_or_replay};

/// `--shard I/N`: shard I (0-based) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardSpec {
    /// 0-based index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

/// Environment variables an `env` shard index is read from, in this order: echelon's own, a
/// Slurm job array's, a Kubernetes Indexed Job's.
pub const INDEX_VARIABLES: [&str; 3] = ["ECHELON_SHARD_INDEX", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

impl ShardSpec {
    /// Parses `I/N` or `env/N`.
    pub fn parse(text: &str) -> Result<ShardSpec, Failure> {
        let bad = |why: &str| {
            bad_input(format!(
                "error: --shard {text}: {why}\n    help: write --shard I/N with 0 <= I < N, e.g. --shard 0/4 … --shard 3/4, \
                 or --shard env/N to take I from {}",
                INDEX_VARIABLES.join(", ")
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(|| bad("expected I/N"))?;
        let count: u64 = n.trim().parse().map_err(|_| bad("N is not a whole number"))?;
        let index: u64 = if i.trim() == "env" {
            let (var, value) = INDEX_VARIABLES
                .iter()
                .find_map(|v| std::env::var(v).ok().map(|x| (*v, x)))
                .ok_or_else(|| bad("none of the index variables is set"))?;
            value.trim().parse().map_err(|_| bad(&format!("{var}={value} is not a whole number")))?
        } else {
            i.trim().parse().map_err(|_| bad("I is not a whole number"))?
        };
        if count == 0 || index >= count {
            return Err(bad(&format!("shard {index} of {count} does not exist")));
        }
        Ok(ShardSpec { index, count })
    }

    /// The shard's file name.
    pub fn file_name(&self) -> String {
        results::shard_file_name(self.index, self.count)
    }
}

/// The arguments of a replayed command (see [`replaying`]).
static REPLAYED: std::sync::Mutex<Option<Vec<String>>> = std::sync::Mutex::new(None);

/// From now on, [`study_args`] are `args` (a merge or report replays a command whose arguments
/// its results file saved, and writes them again as they were).
pub fn replaying(args: &[String]) {
    *REPLAYED.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(args.to_vec());
}

/// The command's arguments as given, without those that do not change its results.
pub fn study_args() -> Vec<String> {
    if let Some(a) = REPLAYED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone() {
        return a;
    }
    let args: Vec<String> = std::env::args().skip(2).collect();
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        let flag = a.split('=').next().unwrap_or("");
        match flag {
            "--shard" | "--out" | "--threads" => skip = !a.contains('='),
            "--quiet" | "-q" => {}
            _ => out.push(a),
        }
    }
    out
}

/// The header of a results file of `command` for replications `range` of `replications`.
pub fn header(command: &str, seed: u64, replications: u64, range: [u64; 2], shard: Option<ShardSpec>) -> Header {
    Header {
        format_version: FORMAT_VERSION,
        echelon_version: env!("CARGO_PKG_VERSION").to_string(),
        command: command.to_string(),
        args: study_args(),
        sources: sources::read_so_far()
            .into_iter()
            .map(|f| Source { path: f.path, text: String::from_utf8_lossy(&f.bytes).into_owned() })
            .collect(),
        seed,
        replications,
        range,
        shard: shard.map(|s| [s.index, s.count]),
        runs: 0,
        results_bytes: 0,
        rows_bytes: 0,
    }
}

impl From<ResultsError> for Failure {
    fn from(e: ResultsError) -> Self {
        match e {
            ResultsError::Io { .. } => Failure { code: 1, message: format!("error: {e}") },
            ResultsError::Format { .. } => bad_input(format!(
                "error: {e}\n    help: pass shard files written by `echelon ... --shard I/N` of this version"
            )),
            ResultsError::Shards(_) => bad_input(format!("error: {e}")),
        }
    }
}

/// What a replayed command uses instead of simulating.
pub struct Given {
    /// The runs' results, in the order the command runs them.
    pub runs: Vec<RunResult>,
    /// The shards whose replications.csv rows make the file, in order (none for `report`:
    /// replications.csv stays as it is).
    pub rows: Vec<ResultsFile>,
}

/// Reads, checks and merges shards.
pub fn merge(inputs: &[PathBuf]) -> Result<(Header, Given), Failure> {
    let files = results::find(inputs)?;
    let shards = files.iter().map(|f| results::read_header(f)).collect::<Result<Vec<_>, _>>()?;
    if let Some(s) = shards.iter().find(|s| s.header.shard.is_none()) {
        return Err(bad_input(format!(
            "error: {} is the saved result of a whole run, not a shard\n    help: redraw it with `echelon report {}`",
            s.path.display(),
            s.path.parent().unwrap_or(Path::new(".")).display()
        )));
    }
    let shards = results::check_shards(shards)?;
    let runs = results::merge_runs(&shards)?;
    let header = shards[0].header.clone();
    Ok((header, Given { runs, rows: shards }))
}

/// Reads a folder's saved results (`results.echelon`).
pub fn saved(dir: &Path) -> Result<(Header, Given), Failure> {
    let path = dir.join(SAVED);
    if !path.exists() {
        return Err(bad_input(format!(
            "error: {} has no saved results ({SAVED})\n    help: pass the output folder of an `echelon run`, `compare` or \
             `sweep` of this version",
            dir.display()
        )));
    }
    let f = results::read(&path)?;
    Ok((f.header.clone(), Given { runs: f.runs, rows: Vec::new() }))
}

/// The saved results in a command's output folder.
pub const SAVED: &str = "results.echelon";

/// Pins the scenario files a header carries, so that the replayed command reads them.
pub fn pin_sources(h: &Header) {
    for s in &h.sources {
        sources::pin(s.to_file());
    }
}

/// `echelon merge`: checks and merges the shards, then replays their command into `--out`.
pub(super) fn cmd_merge(a: MergeArgs) -> Result<(), Failure> {
    let (header, given) = merge(&a.shards)?;
    replay(&header, given, &a.out, a.quiet)
}

/// `echelon report`: replays a folder's saved results into it.
pub(super) fn cmd_report(a: ReportArgs) -> Result<(), Failure> {
    let (header, given) = saved(&a.dir)?;
    replay(&header, given, &a.dir, a.quiet)
}

/// Runs the command a header names, from its saved arguments and scenario text, with `given`
/// results instead of simulating, writing into `out`.
pub(super) fn replay(header: &results::Header, given: Given, out: &Path, quiet: bool) -> Result<(), Failure> {
    pin_sources(header);
    replaying(&header.args);
    let mut argv = vec!["echelon".to_string(), header.command.clone()];
    argv.extend(header.args.iter().cloned());
    argv.extend(["--out".to_string(), out.display().to_string()]);
    if quiet {
        argv.push("--quiet".into());
    }
    let cli = Cli::try_parse_from(&argv)
        .map_err(|e| bad_input(format!("error: the saved arguments do not parse with this echelon ({})", e.kind())))?;
    match cli.command {
        Command::Run(a) => run_or_replay(a, Some(given)),
        Command::Compare(a) => compare_or_replay(a, Some(given)),
        Command::Sweep(a) => sweep_or_replay(a, Some(given)),
        _ => Err(bad_input(format!("error: '{}' results cannot be merged or redrawn", header.command))),
    }
}
