//! The scenario files a process read, and files pinned to given contents.
//!
//! A shard or a saved result carries the text of every scenario file its run read — and of the
//! CSV tables those files load (`[tables]`, read through [`read`] like the scenario file) — so
//! that `echelon merge` and `echelon report` rebuild the very same scenarios later, on another
//! machine or after a file changed: they pin each path to the saved text before loading.

use std::path::Path;
use std::sync::Mutex;

/// A scenario file (or a table it loads) as read: its path as given (a table's as resolved
/// against the scenario's folder) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the command line gave it.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

static READ: Mutex<Vec<SourceFile>> = Mutex::new(Vec::new());
static PINNED: Mutex<Vec<SourceFile>> = Mutex::new(Vec::new());

fn lock(m: &'static Mutex<Vec<SourceFile>>) -> std::sync::MutexGuard<'static, Vec<SourceFile>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The contents of a scenario file: pinned contents if the path was pinned, else the file's;
/// noted in the list [`read_so_far`] returns.
pub(crate) fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let key = path.display().to_string();
    let pinned = lock(&PINNED).iter().find(|s| s.path == key).map(|s| s.bytes.clone());
    let bytes = match pinned {
        Some(b) => b,
        None => std::fs::read(path)?,
    };
    let mut read = lock(&READ);
    match read.iter_mut().find(|s| s.path == key) {
        Some(s) => s.bytes.clone_from(&bytes),
        None => read.push(SourceFile { path: key, bytes: bytes.clone() }),
    }
    Ok(bytes)
}

/// Every scenario file read so far by this process, in the order first read.
pub fn read_so_far() -> Vec<SourceFile> {
    lock(&READ).clone()
}

/// From now on, reading `file.path` gives `file.bytes` instead of the file on disk.
pub fn pin(file: SourceFile) {
    let mut p = lock(&PINNED);
    p.retain(|s| s.path != file.path);
    p.push(file);
}
