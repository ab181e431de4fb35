//! Reports that print: every table of `report.html` (run, compare, sweep, size) fits a 1000-px
//! screen and an A4 page, measured in a real headless browser.
//!
//! How it is measured: `--dump-dom` alone shows no layout, and a screenshot shows only the
//! viewport, so the test loads a *copy* of each report with a small script appended that asks
//! the browser's layout engine for every table's width (`scrollWidth`, and its right edge) and
//! writes the tables wider than their box into an attribute of `<body>`, which `--dump-dom` then
//! prints. The page itself stays script-free. For paper, the copy turns the `@media print` rules
//! on for the screen and is laid out at the printable width of A4 (210 mm − 2 × 12 mm margins ≈
//! 700 CSS px; Letter is wider), i.e. exactly the layout a print gets. The real report is also
//! printed with `--print-to-pdf` to show that printing works. Without `chromium` on PATH the test
//! says so and passes (install it with tests/browser.sh).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::echelon_in;

const MEASURE: &str = "<script>var o=[];document.querySelectorAll('table').forEach(function(t,i){\
var p=t.parentElement;var r=t.getBoundingClientRect().right;\
if(t.scrollWidth>p.clientWidth+1||r>document.documentElement.clientWidth+1)\
o.push(i+': '+t.scrollWidth+' px > '+p.clientWidth+' px: '+t.rows[0].textContent.slice(0,80))});\
document.body.setAttribute('data-overflow',o.join(' | ')||'none')</script></body>";

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("chromium")).find(|p| p.is_file())
}

/// Runs headless chromium on `file` with `extra` arguments; returns stdout.
fn browse(bin: &Path, dir: &Path, file: &Path, extra: &[String]) -> String {
    let out = Command::new(bin)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(extra)
        .arg(file)
        .output()
        .expect("chromium starts");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The tables wider than their box at `width` CSS px (`print`: with the print rules on).
fn overflow(bin: &Path, dir: &Path, report: &Path, width: u32, print: bool) -> String {
    let mut html = fs::read_to_string(report).unwrap().replace("</body>", MEASURE);
    if print {
        html = html.replace("@media print{", "@media all{");
    }
    let copy = dir.join(format!("measure-{width}.html"));
    fs::write(&copy, html).unwrap();
    let dom = browse(bin, dir, &copy, &[format!("--window-size={width},900"), "--dump-dom".into()]);
    let start = dom.find("data-overflow=\"").map(|i| i + 15).unwrap_or_else(|| panic!("no measurement:\n{dom}"));
    dom[start..].split('"').next().unwrap_or_default().to_string()
}

fn run(dir: &Path, args: &[&str]) {
    let out = echelon_in(dir).args(args).arg("-q").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "echelon {}:\n{}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_report_table_fits_a_screen_and_a_page() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: chromium is not on PATH (tests/browser.sh installs it); reports not checked in a browser");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sc = |n: &str| format!("{}/scenarios/{n}", env!("CARGO_MANIFEST_DIR"));
    let (wj, nv) = (sc("winter-jackets.toml"), sc("newsvendor.toml"));
    run(d, &["run", &wj, "--replications", "2", "--out", "run"]);
    run(d, &["compare", &wj, "--replications", "2", "--scope", "location:chicago-loop", "--out", "compare"]);
    run(d, &["sweep", &nv, "--set", "locations.store.policy.level=45,50,55", "--replications", "2", "--out", "sweep"]);
    let size = ["size", &wj, "--target", "fill_rate=0.9", "--confidence", "0.8", "--replications", "2"];
    run(d, &[&size[..], &["--out", "size"]].concat());
    for name in ["run", "compare", "sweep", "size"] {
        let report = d.join(name).join("report.html");
        assert_eq!(overflow(&bin, d, &report, 1000, false), "none", "{name}: tables wider than a 1000-px screen");
        assert_eq!(overflow(&bin, d, &report, 700, true), "none", "{name}: tables wider than an A4 page");
        let pdf = d.join(format!("{name}.pdf"));
        browse(&bin, d, &report, &["--no-pdf-header-footer".into(), format!("--print-to-pdf={}", pdf.display())]);
        let bytes = fs::read(&pdf).unwrap_or_else(|e| panic!("{name}: no PDF printed: {e}"));
        assert!(bytes.starts_with(b"%PDF") && bytes.len() > 10_000, "{name}: PDF of {} bytes", bytes.len());
    }
}
