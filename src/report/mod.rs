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
pub mod summary;
pub mod table;
pub mod trace;

pub use format::{fmt_num, fmt_pct};

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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
        let final_path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        self.files.push((tmp, final_path));
        Ok(())
    }

    /// Renames every staged file into place; returns the final paths.
    pub fn commit(self) -> std::io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for (tmp, fin) in &self.files {
            fs::rename(tmp, fin)?;
            out.push(fin.clone());
        }
        Ok(out)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = fs::remove_file(tmp);
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
