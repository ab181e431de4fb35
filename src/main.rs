//! The `echelon` command: parse → load → validate → run → export. Exit codes: 0 success,
//! 1 failure, 2 bad input.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
