//! Reports: JSON and CSV files, terminal tables, the network tree, the day-by-day trace, charts
//! and the self-contained HTML report.
//!
//! Files are written atomically: each is written to a temporary name in the same folder and
//! renamed into place only when complete, so an interrupted run never leaves half a file (the
//! rename is atomic; the data is not forced to disk, which a crash of the program does not need).

pub mod check;
pub mod figures;
pub mod format;
pub mod html;
pub mod plot;
pub mod positions;
pub mod summary;
pub mod table;
pub mod trace;

pub use format::{fmt_num, fmt_pct};

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Temporary files that exist right now (staged, not yet renamed into place or removed), so
/// that an interrupted program can remove them: see [`remove_temporary_files`]. A writer
/// registers a file and creates it under this lock, so the two never disagree.
static PENDING: Mutex<Pending> = Mutex::new(Pending { files: Vec::new(), closed: false });

struct Pending {
    files: Vec<PathBuf>,
    /// Set once the program is ending: no new temporary file may appear.
    closed: bool,
}

fn pending() -> MutexGuard<'static, Pending> {
    // A writer that panicked while holding the lock left a consistent list (push and remove are
    // single steps), so the poison carries no meaning here.
    PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every temporary file of the atomic writer and stops new ones from being created;
/// for a Ctrl-C handler that then ends the program. Hold the returned guard until the process
/// exits: a writer in another thread waits on it instead of renaming or creating files.
pub fn remove_temporary_files() -> impl Drop {
    let mut p = pending();
    p.closed = true;
    for f in p.files.drain(..) {
        let _ = fs::remove_file(f);
    }
    p
}

/// Files staged for an output folder; nothing is visible under its final name until `commit`.
pub struct Staged {
    dir: PathBuf,
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Stages output into `dir` (created if missing).
    pub fn new(dir: &Path) -> std::io::Result<Staged> {
        fs::create_dir_all(dir)?;
        Ok(Staged { dir: dir.to_path_buf(), files: Vec::new() })
    }

    /// Writes `bytes` to a temporary file that becomes `name` on commit.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.create(name)?.write_all(bytes)
    }

    /// Creates a temporary file that becomes `name` on commit, for contents written piece by
    /// piece (rows as a run goes).
    pub fn create(&mut self, name: &str) -> std::io::Result<fs::File> {
        let final_path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let f = {
            let mut p = pending();
            if p.closed {
                return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "the program is ending"));
            }
            let f = fs::File::create(&tmp)?;
            p.files.push(tmp.clone());
            f
        };
        self.files.push((tmp, final_path));
        Ok(f)
    }

    /// The temporary path of a file staged as `name` (to read back what was written).
    pub fn staged_path(&self, name: &str) -> Option<&Path> {
        self.files.iter().find(|(_, f)| f.file_name().is_some_and(|n| n == name)).map(|(t, _)| t.as_path())
    }

    /// Renames every staged file into place; returns the final paths.
    pub fn commit(mut self) -> std::io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        // A file leaves the list only once renamed: on an error, `drop` removes the rest.
        while let Some((tmp, fin)) = self.files.first().cloned() {
            let mut p = pending();
            if p.closed {
                return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "the program is ending"));
            }
            fs::rename(&tmp, &fin)?;
            p.files.retain(|f| *f != tmp);
            drop(p);
            self.files.remove(0);
            out.push(fin);
        }
        Ok(out)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let mut p = pending();
        for (tmp, _) in &self.files {
            let _ = fs::remove_file(tmp);
            p.files.retain(|f| f != tmp);
        }
    }
}

/// Writes one file atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    let mut s = Staged::new(dir)?;
    s.add(name, bytes)?;
    s.commit()?;
    Ok(())
}

/// Writes a CSV field (quoted if it needs to be).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Appends `,value` to a CSV line for each number (see [`csv_num`]).
pub fn csv_nums(line: &mut String, values: impl IntoIterator<Item = f64>) {
    for v in values {
        line.push(',');
        csv_num(line, v);
    }
}

/// Appends a number to a CSV line: shortest round-trip form, empty for undefined.
pub fn csv_num(line: &mut String, v: f64) {
    if v.is_finite() {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            // Whole numbers without a trailing ".0", as people write them.
            line.push_str(zmij::Buffer::new().format_finite(v).trim_end_matches(".0"));
        } else {
            line.push_str(zmij::Buffer::new().format_finite(v));
        }
    }
}
