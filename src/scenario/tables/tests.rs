//! The span space of tables, and the cost of a million rows.

use std::time::Instant;

use toml::de::{DeTable, DeValue};

use super::*;

/// A span in a table's range is that file's line and column; the scenario's own spans do not
/// change.
#[test]
fn spans_after_the_text_are_table_cells() {
    let src = Source::new("s.toml".into(), "a = 1\n".into());
    let src = src.with_tables(vec![
        ("skus", "skus.csv".into(), "id\nx\n".into()),
        ("locations", "dir/l.csv".into(), "id,type\ndc,warehouse\n".into()),
    ]);
    assert_eq!(src.locate(4), ("s.toml", 1, 5));
    assert_eq!(src.locate(6), ("s.toml", 2, 1));
    let skus = src.tables()[0].base;
    assert_eq!(skus, 7);
    assert_eq!(src.locate(skus + 3), ("skus.csv", 2, 1));
    let loc = src.tables()[1].base;
    assert_eq!(loc, skus + 5 + 1);
    assert_eq!(src.locate(loc + 11), ("dir/l.csv", 2, 4));
    assert_eq!(src.tables()[1].column_at(loc + 11).as_deref(), Some("type"));
    assert_eq!(src.tables()[1].cell_in_row(loc + 9, "id"), Some(loc + 8..loc + 10));
}

/// Peak resident memory of this process in MiB (Linux), for the scale measurement.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// 1,000 stores × 1,000 SKUs: a million rows of positions.csv and of demand.csv from files to
/// entries of the document. Run by hand (it writes ~80 MB of CSV to the temp folder):
/// `cargo test --lib tables::tests::a_million_rows -- --ignored --nocapture`.
#[test]
#[ignore]
fn a_million_rows() {
    let dir = std::env::temp_dir().join(format!("echelon-tables-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (stores, skus) = (1000, 1000);
    let mut pos = String::from("location,sku,policy,level,initial_on_hand\n");
    let mut dem = String::from("location,sku,distribution,mean,sd,weekly\n");
    for s in 0..stores {
        for k in 0..skus {
            let level = ["40", "5d", "95%", "1lt"][(s + k) % 4];
            pos.push_str(&format!("store-{s},sku-{k},base_stock,{level},\n"));
            let mean = 0.1 + (k % 50) as f64 * 0.37;
            dem.push_str(&format!(
                "store-{s},sku-{k},negative_binomial,{mean:.3},{:.3},0.9;0.9;1;1;1;1.2;1.1\n",
                mean * 1.5 + 0.5
            ));
        }
    }
    std::fs::write(dir.join("positions.csv"), &pos).unwrap();
    std::fs::write(dir.join("demand.csv"), &dem).unwrap();
    let mib = (pos.len() + dem.len()) as f64 / 1048576.0;
    drop((pos, dem));
    let name = dir.join("s.toml").display().to_string();
    let src = Source::new(name, "[tables]\npositions = \"positions.csv\"\ndemand = \"demand.csv\"\n".into());
    let before = peak_mib();
    let t0 = Instant::now();
    let (mut doc, errors) = DeTable::parse_recoverable(&src.text);
    assert!(errors.is_empty());
    let full = read(&src, &mut doc).expect("tables read");
    let read_s = t0.elapsed().as_secs_f64();
    let arena = Arena::default();
    let mut doc = doc;
    let mut d = Diags::new(&full);
    append(&mut doc, &full, &arena, &mut d);
    let total = t0.elapsed().as_secs_f64();
    assert!(d.is_empty(), "{:?}", d.list);
    let n = |k: &str| match doc.get_ref().get(k).map(|v| v.get_ref()) {
        Some(DeValue::Array(a)) => a.len(),
        _ => 0,
    };
    assert_eq!((n("positions"), n("demand")), (1_000_000, 1_000_000));
    eprintln!(
        "{mib:.0} MiB of CSV: files read in {read_s:.2} s, 2,000,000 rows as entries in {total:.2} s; peak RSS \
         {:.0} MiB (before {before:.0} MiB)",
        peak_mib()
    );
    std::fs::remove_dir_all(&dir).ok();
}
