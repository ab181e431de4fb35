//! Errors caused by a command-line flag are blamed on the flag, not on a line of the file.
//!
//! A `--set` or `--days` value is patched into the TOML before validation, where it takes the
//! place (and the line) of the key it replaces; so validation alone would point at the file. When
//! a variant does not load, each problem that appears only with one of the command-line patches
//! is reported against that flag (`--set locations.store.policy.level=-3: ...`).

use std::path::Path;

use echelon::scenario::{Diagnostic, Patch, Scenario, ScenarioError, Variant};

/// Loads a variant; on failure, problems caused by a command-line patch name that flag.
pub fn load(path: &Path, v: &Variant) -> Result<Scenario, ScenarioError> {
    let err = match Scenario::load_variant(path, v) {
        Ok(sc) => return Ok(sc),
        Err(e @ ScenarioError::Io { .. }) => return Err(e),
        Err(e) => e,
    };
    let diags = err.diagnostics();
    let without = |patches: Vec<Patch>| {
        let w = Variant { patches, ..v.clone() };
        Scenario::load_variant(path, &w).err().map(|e| e.diagnostics()).unwrap_or_default()
    };
    let base = without(Vec::new());
    let alone: Vec<Vec<Diagnostic>> = v.patches.iter().map(|p| without(vec![p.clone()])).collect();
    let same = |a: &Diagnostic, b: &Diagnostic| a.key == b.key && a.message == b.message;
    let blamed = diags
        .into_iter()
        .map(|mut d| {
            if !base.iter().any(|b| same(b, &d))
                && let Some(i) = alone.iter().position(|ds| ds.iter().any(|x| same(x, &d)))
            {
                let p = &v.patches[i];
                d.file = flag_text(p);
                (d.line, d.column) = (0, 0);
                // The flag already shows the path: say it once.
                if d.key == p.path {
                    d.key.clear();
                }
                if let Some(rest) = d.message.strip_prefix(&format!("'{}': ", p.path)) {
                    d.message = rest.to_string();
                }
            }
            d
        })
        .collect();
    Err(ScenarioError::Invalid(blamed))
}

/// The flag as the user typed it: `--days 0`, `--set PATH=VALUE`.
fn flag_text(p: &Patch) -> String {
    if p.origin == "--days" { format!("--days {}", p.value) } else { format!("{} {}={}", p.origin, p.path, p.value) }
}
