//! Writes a generated scenario to standard output: a supplier, one DC and `--stores` stores
//! carrying `--skus` SKUs each, Poisson demand with means spread from 2 to 8, (s, S) at the
//! stores. For measuring how time and memory scale with the number of positions:
//!
//! ```sh
//! cargo run --release --example network -- --stores 1000 --skus 100 > output/scale.toml
//! ```

use std::fmt::Write as _;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let (stores, skus, days, reps) =
        (arg("--stores", 100), arg("--skus", 10), arg("--days", 365), arg("--replications", 16));
    let mut s = String::new();
    let _ = writeln!(s, "name = \"Generated: 1 DC, {stores} stores, {skus} SKUs\"\n");
    let _ =
        writeln!(s, "[simulation]\ndays = {days}\nreplications = {reps}\nseed = 42\nunmet_demand = \"lost_sales\"\n");
    for k in 0..skus {
        let cost = 10 + k % 20;
        let _ = writeln!(
            s,
            "[[skus]]\nid = \"sku-{k}\"\nunit_cost = {cost}\nprice = {}\nholding_cost = 0.02\nstockout_cost = 2.0\n",
            cost * 8 / 5
        );
    }
    let _ = writeln!(s, "[[locations]]\nid = \"supplier\"\ntype = \"supplier\"\n");
    // The DC keeps about 10 days of cover for the stores' demand of each SKU.
    let dc_level = stores * 5 * 14;
    let _ = writeln!(
        s,
        "[[locations]]\nid = \"dc\"\ntype = \"warehouse\"\nsource = \"supplier\"\nlead_time = 5\npolicy = {{ type = \"base_stock\", level = {dc_level} }}\n"
    );
    for i in 0..stores {
        let _ = writeln!(
            s,
            "[[locations]]\nid = \"store-{i}\"\ntype = \"store\"\nsource = \"dc\"\nlead_time = 3\npolicy = {{ type = \"s_S\", s = 14, S = 30 }}\n"
        );
    }
    let n = stores * skus;
    for i in 0..stores {
        for k in 0..skus {
            let mean = 2.0 + 6.0 * ((i * skus + k) as f64) / (n.max(2) - 1) as f64;
            let _ = writeln!(
                s,
                "[[demand]]\nlocation = \"store-{i}\"\nsku = \"sku-{k}\"\ndistribution = {{ type = \"poisson\", mean = {mean:.3} }}\n"
            );
        }
    }
    print!("{s}");
}
