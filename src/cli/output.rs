//! Output folders: their default names, a check before any work that they can be written, the
//! removal of an earlier run's charts, and Ctrl-C.

use std::fs;
use std::path::{Path, PathBuf};

use echelon::report::{Staged, write_atomic};

use super::{Failure, bad_input};

/// The list of files echelon wrote into an output folder (one name a line), so that the next
/// run into the folder can remove the charts it does not write again.
pub const MANIFEST: &str = ".echelon-files";

/// Exit code of a program ended by Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: i32 = 130;

/// On Ctrl-C: remove the temporary files of the atomic writer and exit with 130. Installed once
/// at start; the writer registers every temporary file, so none is left whenever the signal
/// comes.
pub fn on_interrupt_clean_up() {
    let _ = ctrlc::set_handler(|| {
        // Held until exit: a writer in another thread cannot create or rename files meanwhile.
        let _held = echelon::report::remove_temporary_files();
        eprintln!("\ninterrupted: stopped without writing anything further");
        std::process::exit(EXIT_INTERRUPTED);
    });
}

/// A default output folder: `output/<stem>` followed by the non-empty `parts` (strategy,
/// stress, command, target...), each made safe for a file name.
pub fn default_dir<'a>(stem: &str, parts: impl IntoIterator<Item = &'a str>) -> PathBuf {
    let mut name = stem.to_string();
    for p in parts {
        let p = file_safe(p);
        if !p.is_empty() {
            name.push('-');
            name.push_str(&p);
        }
    }
    Path::new("output").join(name)
}

/// Letters, digits, `.` and `_` kept; every other run of characters becomes one `-`.
fn file_safe(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Checks before any work that `dir` is (or can become) a folder echelon can write into:
/// an existing file is bad input (exit 2), a folder that cannot be created or written is a
/// failure (exit 1).
pub fn prepare_dir(dir: &Path, flag: &str) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(bad_input(format!(
            "error: {flag} {} is a file, not a folder\n    help: give a folder for the results, e.g. {flag} output/run-1",
            dir.display()
        )));
    }
    probe(dir).map_err(|e| Failure {
        code: 1,
        message: format!(
            "error: cannot write into {}: {e}\n    help: pick a folder you can write to with {flag}",
            dir.display()
        ),
    })
}

/// Creates `dir` if needed and writes and removes a temporary file in it.
fn probe(dir: &Path) -> std::io::Result<()> {
    let mut s = Staged::new(dir)?;
    s.add("write-test", b"")
    // Dropping `s` removes the temporary file.
}

/// Checks before any work that `file` can be written: not a folder, in a folder that can be
/// written.
pub fn prepare_file(file: &Path, flag: &str) -> Result<(), Failure> {
    if file.is_dir() {
        return Err(bad_input(format!(
            "error: {flag} {} is a folder, not a file\n    help: name the file to write, e.g. {flag} output/trace.csv",
            file.display()
        )));
    }
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    prepare_dir(dir, flag)
}

/// After a run wrote `written` into `dir`: removes the chart files (`.png`, `.svg`) an earlier
/// run of echelon wrote there and this one did not, so no stale chart sits beside the new
/// report, and records this run's files. Earlier runs are known from [`MANIFEST`]; in a folder
/// without one (written by an older echelon), charts whose names start with one of `families`
/// (the names this command gives its charts) count as echelon's. Other files are never
/// touched. Returns warnings.
pub fn tidy(dir: &Path, written: &[PathBuf], families: &[&str]) -> Vec<String> {
    let new: Vec<&str> = written.iter().filter_map(|p| p.file_name()?.to_str()).collect();
    let earlier: Vec<String> = match fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => text.lines().map(str::to_string).collect(),
        Err(_) => fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|n| families.iter().any(|f| n.starts_with(f)))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut warnings = Vec::new();
    for name in earlier {
        let is_chart = name.ends_with(".png") || name.ends_with(".svg");
        // Only plain names inside the folder, never a path elsewhere.
        let plain = !name.contains(['/', '\\']) && !name.starts_with('.');
        if is_chart && plain && !new.contains(&name.as_str()) {
            match fs::remove_file(dir.join(&name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => warnings.push(format!("{name} is from an earlier run and could not be removed: {e}")),
            }
        }
    }
    let list: String = new.iter().map(|n| format!("{n}\n")).collect();
    if let Err(e) = write_atomic(&dir.join(MANIFEST), list.as_bytes()) {
        warnings.push(format!("{MANIFEST} not written: {e}"));
    }
    warnings
}

/// A spinner on stderr while a scenario loads and compiles (a retailer's tables take seconds),
/// shown only on a terminal and without `--quiet`; cleared when dropped.
pub struct Busy(Option<indicatif::ProgressBar>);

impl Busy {
    /// Starts the spinner with a message.
    pub fn start(message: &str, quiet: bool) -> Busy {
        use std::io::IsTerminal;
        if quiet || !std::io::stderr().is_terminal() {
            return Busy(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}  {elapsed}") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Busy(Some(bar))
    }

    /// Changes the message (the next step).
    pub fn say(&self, message: &str) {
        if let Some(b) = &self.0 {
            b.set_message(message.to_string());
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_folders_name_the_variant() {
        assert_eq!(default_dir("net", [""]), Path::new("output/net"));
        assert_eq!(default_dir("net", ["push", "port strike"]), Path::new("output/net-push-port-strike"));
        assert_eq!(default_dir("bs", ["size", "stockout_rate<=0.05"]), Path::new("output/bs-size-stockout_rate-0.05"));
        assert_eq!(default_dir("bs", ["../x"]), Path::new("output/bs-..-x"));
    }
}
