//! Results as files: a run's (or an experiment's) results saved with everything needed to merge
//! them with other shards or to redraw the report later, without simulating again.
//!
//! A results file is self-describing:
//!
//! ```text
//! ECHELON-RESULTS\n
//! {"format_version": 1, "command": "run", "args": [...], "sources": [...], "range": [a, b], ...}\n
//! <results: little-endian 64-bit words, `results_bytes` long>
//! <replications.csv rows of the range, `rows_bytes` long (shards of `run` only)>
//! ```
//!
//! The header names the command and its arguments, carries the text of every scenario file the
//! command read (so a merge or a report rebuilds the very same scenarios), the seed, the total
//! number of replications and this file's range of them. [`check_shards`] refuses shards of
//! different studies or versions, and missing or overlapping ranges, naming the problem.

use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::kpi::Kpi;
use crate::runner::{DayRecord, RunResult, Scope};
use crate::scenario::sources::SourceFile;
use crate::stats::fixed::Fixed;
use crate::stats::sketch::Sketch;
use crate::stats::{Moments, Streamed};

/// The first line of every results file.
pub const MAGIC: &[u8] = b"ECHELON-RESULTS\n";

/// The version of the layout below; a reader refuses any other.
pub const FORMAT_VERSION: u32 = 2;

/// File name of shard `i` of `n`.
pub fn shard_file_name(i: u64, n: u64) -> String {
    format!("shard-{i}-of-{n}.echelon")
}

/// What a results file says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The echelon version that wrote it (shards of different versions are not merged: the
    /// engine may draw differently).
    pub echelon_version: String,
    /// `run`, `compare` or `sweep`.
    pub command: String,
    /// The command's arguments, without those that do not change the results (`--shard`,
    /// `--out`, `--threads`, `--quiet`).
    pub args: Vec<String>,
    /// Every scenario file the command read, with its text.
    pub sources: Vec<Source>,
    /// Base seed.
    pub seed: u64,
    /// Replications of the whole study (per run).
    pub replications: u64,
    /// This file's replications `[first, end)`.
    pub range: [u64; 2],
    /// `[i, n]` for shard `i` of `n`; `None` for a whole run's saved results.
    pub shard: Option<[u64; 2]>,
    /// Runs in the results section (1 for `run`; variants of `compare`, points of `sweep`).
    pub runs: u64,
    /// Length of the results section.
    pub results_bytes: u64,
    /// Length of the rows section.
    pub rows_bytes: u64,
}

/// A scenario file in a header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The path as given.
    pub path: String,
    /// Its text (scenario files are UTF-8).
    pub text: String,
}

impl Source {
    /// The file as the scenario loader pins it.
    pub fn to_file(&self) -> SourceFile {
        SourceFile { path: self.path.clone(), bytes: self.text.clone().into_bytes() }
    }
}

impl Header {
    /// The study this file belongs to: what must agree between shards to be merged.
    pub fn study(&self) -> String {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let id = (self.format_version, &self.echelon_version, &self.command, &self.args, &self.sources);
        let text = serde_json::to_string(&(id, self.seed, self.replications)).unwrap_or_default();
        for b in text.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

/// Why a results file cannot be read or shards cannot be merged: each message names the file
/// and the problem, for exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a results file of this version, or is damaged.
    #[error("{path}: {problem}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The shards do not form one complete study.
    #[error("{0}")]
    Shards(String),
}

impl ResultsError {
    fn format(path: &Path, problem: impl Into<String>) -> Self {
        ResultsError::Format { path: path.display().to_string(), problem: problem.into() }
    }
}

/// A results file read back.
#[derive(Clone, Debug)]
pub struct ResultsFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
    /// Its runs' results, in the order they ran.
    pub runs: Vec<RunResult>,
    /// Where its replications.csv rows start in the file (`header.rows_bytes` long; none unless
    /// a shard of `run`).
    pub rows_at: u64,
}

impl ResultsFile {
    /// Copies this file's replications.csv rows to `w`.
    pub fn copy_rows(&self, w: &mut impl Write) -> Result<(), ResultsError> {
        use std::io::{Seek, SeekFrom};
        let io = |source| ResultsError::Io { path: self.path.display().to_string(), source };
        let mut f = std::fs::File::open(&self.path).map_err(io)?;
        f.seek(SeekFrom::Start(self.rows_at)).map_err(io)?;
        let copied = std::io::copy(&mut f.take(self.header.rows_bytes), w).map_err(io)?;
        if copied != self.header.rows_bytes {
            return Err(ResultsError::format(&self.path, "the rows section is shorter than its header says"));
        }
        Ok(())
    }
}

/// A results file's first part — magic line and header, with the header's section lengths
/// filled in — and its results section; the rows, `rows_bytes` long, follow them in the file.
pub fn file_parts(mut header: Header, runs: &[RunResult], rows_bytes: u64) -> (Vec<u8>, Vec<u8>) {
    let results = encode_runs(runs);
    header.runs = runs.len() as u64;
    header.results_bytes = results.len() as u64;
    header.rows_bytes = rows_bytes;
    let mut head = MAGIC.to_vec();
    head.extend(serde_json::to_vec(&header).expect("a header serialises"));
    head.push(b'\n');
    (head, results)
}

/// Writes a results file (header, results, then the rows: the file `rows`, if any) as `name`
/// into a staged output folder.
pub fn stage(
    staged: &mut crate::report::Staged,
    name: &str,
    header: Header,
    runs: &[RunResult],
    rows: Option<&Path>,
) -> std::io::Result<()> {
    let rows_bytes = match rows {
        Some(p) => std::fs::metadata(p)?.len(),
        None => 0,
    };
    let (head, results) = file_parts(header, runs, rows_bytes);
    let mut w = std::io::BufWriter::new(staged.create(name)?);
    w.write_all(&head)?;
    w.write_all(&results)?;
    drop(results);
    if let Some(p) = rows {
        std::io::copy(&mut std::fs::File::open(p)?, &mut w)?;
    }
    w.flush()
}

/// Writes a results file whose rows are the file `rows` (if any). The file appears whole or
/// not at all.
pub fn write(path: &Path, header: Header, runs: &[RunResult], rows: Option<&Path>) -> Result<(), ResultsError> {
    let io = |source| ResultsError::Io { path: path.display().to_string(), source };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("results.echelon");
    let mut staged = crate::report::Staged::new(dir).map_err(io)?;
    stage(&mut staged, name, header, runs, rows).map_err(io)?;
    staged.commit().map_err(io)?;
    Ok(())
}

/// Reads a results file's header and results (its rows stay on disk: [`ResultsFile::copy_rows`]).
pub fn read(path: &Path) -> Result<ResultsFile, ResultsError> {
    read_parts(path, true)
}

/// Reads a results file's header only (checking the file's length against it); `runs` is
/// empty. For checking many shards before reading their results one at a time.
pub fn read_header(path: &Path) -> Result<ResultsFile, ResultsError> {
    read_parts(path, false)
}

fn read_parts(path: &Path, results: bool) -> Result<ResultsFile, ResultsError> {
    use std::io::BufRead;
    let io = |source| ResultsError::Io { path: path.display().to_string(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut r = std::io::BufReader::new(file);
    let mut magic = vec![0; MAGIC.len()];
    if r.read_exact(&mut magic).is_err() || magic != MAGIC {
        return Err(ResultsError::format(path, "not an echelon results file (it does not start with ECHELON-RESULTS)"));
    }
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).map_err(io)?;
    let header: Header = serde_json::from_slice(&line)
        .map_err(|e| ResultsError::format(path, format!("the header does not read: {e}")))?;
    if header.format_version != FORMAT_VERSION {
        return Err(ResultsError::format(
            path,
            format!(
                "results format version {} (this echelon reads version {FORMAT_VERSION}); rerun the shard with this version",
                header.format_version
            ),
        ));
    }
    let start = (MAGIC.len() + line.len()) as u64;
    let (rb, wb) = (header.results_bytes, header.rows_bytes);
    if size != start.saturating_add(rb).saturating_add(wb) {
        return Err(ResultsError::format(
            path,
            format!("the file is {size} bytes long where its header says {}: it is incomplete", start + rb + wb),
        ));
    }
    let mut runs = Vec::new();
    if results {
        let mut body = vec![0; rb as usize];
        r.read_exact(&mut body).map_err(io)?;
        runs = decode_runs(&body).ok_or_else(|| ResultsError::format(path, "the results section is damaged"))?;
        if runs.len() as u64 != header.runs {
            return Err(ResultsError::format(path, "the results section is damaged"));
        }
    }
    Ok(ResultsFile { path: path.to_path_buf(), header, runs, rows_at: start + rb })
}

/// The results files among `inputs`: files as given, and every `*.echelon` file of a folder
/// (in name order).
pub fn find(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, ResultsError> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let io = |source| ResultsError::Io { path: p.display().to_string(), source };
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "echelon") && f.is_file())
                .collect();
            if found.is_empty() {
                return Err(ResultsError::Shards(format!(
                    "{}: no shard files (*.echelon) in this folder",
                    p.display()
                )));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Checks that shards form one study, each replication exactly once; returns them sorted by
/// range. Every refusal names the files and the problem.
pub fn check_shards(mut shards: Vec<ResultsFile>) -> Result<Vec<ResultsFile>, ResultsError> {
    let Some(first) = shards.first() else {
        return Err(ResultsError::Shards("no shards given".into()));
    };
    let (study, h0, p0) = (first.header.study(), first.header.clone(), first.path.display().to_string());
    for s in &shards[1..] {
        let h = &s.header;
        if h.study() == study {
            continue;
        }
        let what = if h.echelon_version != h0.echelon_version {
            format!("echelon versions {} and {}", h0.echelon_version, h.echelon_version)
        } else if h.command != h0.command {
            format!("commands '{}' and '{}'", h0.command, h.command)
        } else if h.sources != h0.sources {
            "scenario files (their contents differ)".to_string()
        } else if h.seed != h0.seed {
            format!("seeds {} and {}", h0.seed, h.seed)
        } else if h.replications != h0.replications {
            format!("replication counts {} and {}", h0.replications, h.replications)
        } else {
            format!("arguments '{}' and '{}'", h0.args.join(" "), h.args.join(" "))
        };
        return Err(ResultsError::Shards(format!(
            "{p0} and {} belong to different studies: {what}\n    help: merge only the shards of one study (same \
             scenario, seed, replications and echelon version)",
            s.path.display()
        )));
    }
    shards.sort_by_key(|s| (s.header.range[0], s.header.range[1]));
    let mut gaps = Vec::new();
    let mut next = 0;
    let mut prev: Option<&ResultsFile> = None;
    for s in &shards {
        let [a, b] = s.header.range;
        if a < next {
            return Err(ResultsError::Shards(format!(
                "{} and {} overlap (replications {a}..{} twice)\n    help: remove the duplicate shard",
                prev.map_or(String::new(), |p| p.path.display().to_string()),
                s.path.display(),
                next.min(b)
            )));
        }
        if a > next {
            gaps.push((next, a));
        }
        next = b;
        prev = Some(s);
    }
    if next < h0.replications {
        gaps.push((next, h0.replications));
    }
    if !gaps.is_empty() {
        return Err(ResultsError::Shards(missing(&gaps, &h0)));
    }
    Ok(shards)
}

/// Names at most this many missing shards (the ranges say the rest).
const NAMED: usize = 12;

/// The message for missing replication ranges, naming the shards that cover them.
fn missing(gaps: &[(u64, u64)], h: &Header) -> String {
    let mut which: Vec<String> = match h.shard {
        Some([_, n]) => (0..n)
            .filter(|&i| {
                let r = shard_range(i, n, h.replications);
                !r.is_empty() && gaps.iter().any(|&(a, b)| r.start < b && r.end > a)
            })
            .take(NAMED + 1)
            .map(|i| shard_file_name(i, n))
            .collect(),
        None => Vec::new(),
    };
    let several = which.len() > 1;
    if which.len() > NAMED {
        which.truncate(NAMED);
        which.push("…".into());
    }
    let ranges: Vec<String> = gaps.iter().take(NAMED).map(|(a, b)| format!("{a}..{b}")).collect();
    format!(
        "replications {}{} are missing{}\n    help: run the missing shard{} again and merge once more",
        ranges.join(", "),
        if gaps.len() > NAMED { ", …" } else { "" },
        if which.is_empty() { String::new() } else { format!(" ({})", which.join(", ")) },
        if several { "s" } else { "" }
    )
}

/// Replications of shard `i` of `n` out of `total`: consecutive blocks, sizes differing by at
/// most one.
pub fn shard_range(i: u64, n: u64, total: u64) -> Range<u64> {
    let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(n.max(1))) as u64;
    at(i)..at(i + 1)
}

/// Merges checked shards (as [`check_shards`] returns them), run by run in range order,
/// reading one shard's results at a time.
pub fn merge_runs(shards: &[ResultsFile]) -> Result<Vec<RunResult>, ResultsError> {
    let mut acc: Vec<RunResult> = Vec::new();
    for s in shards {
        let runs = if s.runs.is_empty() { read(&s.path)?.runs } else { s.runs.clone() };
        if !acc.is_empty() && runs.len() != acc.len() {
            return Err(ResultsError::format(&s.path, "the results section is damaged"));
        }
        if acc.is_empty() {
            acc = runs;
            continue;
        }
        acc = acc
            .into_iter()
            .zip(runs)
            .map(|(a, r)| {
                RunResult::merge(vec![a, r])
                    .map_err(|e| ResultsError::Shards(format!("the shards' results do not fit together: {e}")))
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(acc)
}

// ---- encoding ---------------------------------------------------------------------------------

struct Words(Vec<u8>);

impl Words {
    fn u(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn f(&mut self, x: f64) {
        self.u(x.to_bits());
    }
    fn fs(&mut self, xs: &[f64]) {
        self.u(xs.len() as u64);
        for &x in xs {
            self.f(x);
        }
    }
    fn us(&mut self, xs: &[u64]) {
        self.u(xs.len() as u64);
        for &x in xs {
            self.u(x);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u()?).ok()?;
        (n <= self.0.len() / 8).then_some(n)
    }
    fn f(&mut self) -> Option<f64> {
        self.u().map(f64::from_bits)
    }
    fn fs(&mut self) -> Option<Vec<f64>> {
        let n = self.len()?;
        (0..n).map(|_| self.f()).collect()
    }
    fn us(&mut self) -> Option<Vec<u64>> {
        let n = self.len()?;
        (0..n).map(|_| self.u()).collect()
    }
}

fn scope_code(s: Scope) -> (u64, u64) {
    match s {
        Scope::Network => (0, 0),
        Scope::Location(i) => (1, i as u64),
        Scope::Position(i) => (2, i as u64),
        Scope::Tier(i) => (3, i as u64),
        Scope::Segment(i) => (4, i as u64),
        Scope::Sku(i) => (5, i as u64),
        Scope::Channel(i) => (6, i as u64),
        Scope::Region(i) => (7, i as u64),
    }
}

fn scope_of(kind: u64, i: u64) -> Option<Scope> {
    let i = usize::try_from(i).ok()?;
    Some(match kind {
        0 => Scope::Network,
        1 => Scope::Location(i),
        2 => Scope::Position(i),
        3 => Scope::Tier(i),
        4 => Scope::Segment(i),
        5 => Scope::Sku(i),
        6 => Scope::Channel(i),
        7 => Scope::Region(i),
        _ => return None,
    })
}

fn encode_runs(runs: &[RunResult]) -> Vec<u8> {
    // Sized up front (kept values, days, about 200 bytes a stream): no doubling on the way.
    let size: usize = runs
        .iter()
        .map(|r| {
            8 * (r.values.len() + 16 + 3 * r.scopes.len())
                + 200 * r.streams.len()
                + 40 * r.positions.table.len()
                + r.days.iter().map(|d| 8 * (5 * d.network.len() + 4 * d.locations.len() + 8)).sum::<usize>()
        })
        .sum();
    let mut w = Words(Vec::with_capacity(size));
    w.u(runs.len() as u64);
    for r in runs {
        encode(&mut w, r);
    }
    w.0
}

fn encode(w: &mut Words, r: &RunResult) {
    w.u(r.scopes.len() as u64);
    for &s in &r.scopes {
        let (k, i) = scope_code(s);
        w.u(k);
        w.u(i);
    }
    w.us(&r.kept.iter().map(|&k| k as u64).collect::<Vec<_>>());
    w.u(r.replications as u64);
    w.u(r.first_replication);
    w.u(r.seed);
    w.u(r.streams.len() as u64);
    for s in &r.streams {
        let mut words = s.moments.to_words();
        words.extend(s.sketch.to_words());
        w.us(&words);
    }
    w.fs(&r.values);
    w.u(r.days.len() as u64);
    for d in &r.days {
        w.u(d.step as u64);
        w.fs(&d.network.iter().flatten().copied().collect::<Vec<_>>());
        w.fs(&d.locations.iter().flatten().copied().collect::<Vec<_>>());
        w.fs(&d.echelon_bullwhip);
    }
    w.us(&r.positions.table.iter().flat_map(|f| f.to_words()).collect::<Vec<_>>());
}

fn decode_runs(bytes: &[u8]) -> Option<Vec<RunResult>> {
    let mut r = Reader(bytes);
    let n = r.len()?;
    let runs = (0..n).map(|_| decode(&mut r)).collect::<Option<Vec<_>>>()?;
    r.0.is_empty().then_some(runs)
}

fn decode(r: &mut Reader) -> Option<RunResult> {
    let n = r.len()?;
    let scopes = (0..n).map(|_| scope_of(r.u()?, r.u()?)).collect::<Option<Vec<_>>>()?;
    let kept = r.us()?.into_iter().map(|k| usize::try_from(k).ok().filter(|&k| k < n)).collect::<Option<Vec<_>>>()?;
    let replications = usize::try_from(r.u()?).ok()?;
    let first_replication = r.u()?;
    let seed = r.u()?;
    let m = r.len()?;
    if m != n * Kpi::COUNT {
        return None;
    }
    let streams = (0..m)
        .map(|_| {
            let words = r.us()?;
            let (moments, a) = Moments::from_words(&words)?;
            let (sketch, b) = Sketch::from_words(&words[a..])?;
            (a + b == words.len()).then_some(Streamed { moments, sketch })
        })
        .collect::<Option<Vec<_>>>()?;
    let values = r.fs()?;
    if values.len() != kept.len() * Kpi::COUNT * replications {
        return None;
    }
    let nd = r.len()?;
    let days = (0..nd)
        .map(|_| {
            let step = usize::try_from(r.u()?).ok()?;
            let net = r.fs()?;
            let loc = r.fs()?;
            let bw = r.fs()?;
            if net.len() % 5 != 0 || loc.len() % 4 != 0 {
                return None;
            }
            Some(DayRecord {
                network: net.chunks_exact(5).map(|c| [c[0], c[1], c[2], c[3], c[4]]).collect(),
                locations: loc.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect(),
                echelon_bullwhip: bw,
                step,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let words = r.us()?;
    if words.len() % (5 * crate::runner::POSITION_KPIS.len()) != 0 {
        return None;
    }
    let table = words.chunks_exact(5).map(Fixed::from_words).collect::<Option<Vec<_>>>()?;
    let positions = crate::runner::PositionStats { table };
    Some(RunResult { scopes, streams, kept, values, replications, first_replication, seed, days, positions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_cover_everything_once() {
        for total in [0u64, 1, 7, 100, 1001] {
            for n in 1..=9 {
                let mut next = 0;
                for i in 0..n {
                    let r = shard_range(i, n, total);
                    assert_eq!(r.start, next);
                    assert!(r.end - r.start <= total / n + 1);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }
}
