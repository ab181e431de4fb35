//! Requests the machine cannot serve are refused (or, for threads, capped) before any work is
//! done: a run never aborts on a failed allocation or a thread pool that cannot be built.

use echelon::model::Model;
use echelon::runner::budget::{self, Keeps};

use super::{Failure, bad_input};

/// Worker threads worth starting per core: beyond this, threads only add memory and switching.
const THREADS_PER_CORE: usize = 4;

/// The cores this process may use.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The worker threads a run uses for `--threads requested` (`None`: all cores): a request above
/// what is useful (4 × the cores, or more than `replications`) is capped, with a note on
/// stderr. Results do not depend on the thread count, so the cap changes only the speed.
pub fn threads(requested: Option<u64>, replications: Option<usize>) -> Option<usize> {
    let req = usize::try_from(requested?).unwrap_or(usize::MAX);
    let cores = cores();
    let (mut cap, mut why) = (THREADS_PER_CORE * cores, format!("{THREADS_PER_CORE} × {cores} cores"));
    if let Some(r) = replications.filter(|&r| r < cap) {
        (cap, why) = (r.max(1), "one per replication".to_string());
    }
    if req > cap {
        eprintln!("note: --threads {req} is more than this run can use; using {cap} ({why})");
        return Some(cap);
    }
    Some(req)
}

/// Refuses (exit 2) a run whose estimated memory exceeds what the machine has available:
/// `what` names it for the message, e.g. "this run".
pub fn check_memory(
    m: &Model,
    replications: usize,
    threads: Option<usize>,
    keeps: Keeps,
    what: &str,
) -> Result<(), Failure> {
    let need = budget::estimate(m, replications, threads.unwrap_or_else(cores), keeps);
    let limit = budget::available();
    let total = need.total(replications);
    if total <= limit.bytes {
        return Ok(());
    }
    let source = if limit.measured { "this machine has available" } else { "the memory budget allows" };
    let max = need.max_replications(limit.bytes);
    let help = if max == 0 {
        "simulate fewer days (--days) or use fewer threads (--threads); run without charts (--no-plots) to keep \
         fewer day-by-day records"
            .to_string()
    } else {
        format!(
            "run at most {max} replications in one process (e.g. --replications {}), or split the run into \
             shards (--shard I/N on several processes or machines, then `echelon merge`)",
            round_down(max)
        )
    };
    Err(bad_input(format!(
        "error: {what} needs about {} of memory for {replications} {}, more than the {} {source}\n    help: {help}",
        budget::fmt_bytes(total),
        plural(replications as u64, "replication"),
        budget::fmt_bytes(limit.bytes),
    )))
}

/// Bytes a trace row takes in memory: about 60 characters of CSV (measured on winter-jackets),
/// twice while the text grows.
const TRACE_ROW_BYTES: u64 = 120;

/// Refuses (exit 2) a trace whose CSV text would not fit in the memory available.
pub fn check_trace(m: &Model) -> Result<(), Failure> {
    let rows = m.total_days as u64 * m.n_pos() as u64;
    let need = rows.saturating_mul(TRACE_ROW_BYTES);
    let limit = budget::available();
    if need <= limit.bytes {
        return Ok(());
    }
    let days = (limit.bytes / TRACE_ROW_BYTES / (m.n_pos() as u64).max(1)).max(1);
    Err(bad_input(format!(
        "error: this trace of {} needs about {} of memory, more than the {} available\n    help: trace fewer \
         days, e.g. --days {}",
        count(rows, "row"),
        budget::fmt_bytes(need),
        budget::fmt_bytes(limit.bytes),
        round_down(days)
    )))
}

/// A round number at most `n` with two significant digits (e.g. 4,870,112 → 4,800,000).
fn round_down(n: u64) -> u64 {
    let mut scale = 1;
    while n / scale >= 100 {
        scale *= 10;
    }
    (n / scale * scale).max(1)
}

/// `noun` or its plural for a count: "1 replication", "2 replications".
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 { noun.to_string() } else { format!("{noun}s") }
}

/// A count with its noun: "1 day", "365 days".
pub fn count(n: u64, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// Hands the heap that loading a scenario freed back to the system. glibc keeps freed memory
/// for reuse by the thread that freed it, while the simulation allocates on worker threads: a
/// million-position scenario's parse (gigabytes, freed once validated) would stay resident
/// beside the run. Elsewhere (another allocator or system) this does nothing.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free pages of the heap to the kernel; it takes no
        // pointers and has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_round_numbers() {
        assert_eq!(count(1, "replication"), "1 replication");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(round_down(4_870_112), 4_800_000);
        assert_eq!(round_down(57), 57);
        assert_eq!(round_down(0), 1);
    }

    #[test]
    fn threads_are_capped() {
        assert_eq!(threads(None, Some(5)), None);
        assert_eq!(threads(Some(1), Some(5)), Some(1));
        assert_eq!(threads(Some(100_000), Some(3)), Some(3));
        assert!(threads(Some(u64::MAX), None).unwrap() <= THREADS_PER_CORE * cores());
    }
}
