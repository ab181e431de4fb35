//! Demand fitted from sales history: `echelon fit sales.csv --out demand.csv`, and a scenario's
//! `[tables] history = "sales.csv"`.
//!
//! Each position (location, SKU) of the history gets the demand model the engine simulates:
//! a level, weekday and month indices and a trend (see `estimate.rs`), and a daily distribution
//! chosen by the dispersion of the de-seasonalised demand:
//!
//! - share of days with sales low (average interval between demand days, ADI, above 1.32 as in
//!   Syntetos–Boylan) → `intermittent` (occurrence probability × size ≥ 1);
//! - variance/mean ≈ 1 (within 3 standard errors, at least ±0.1) → `poisson`; above →
//!   `negative_binomial`; below, or a large mean (≥ 100 a day) with a coefficient of variation
//!   ≤ 0.3 → `normal`; units that are not whole numbers → `normal`, or `gamma` when the
//!   coefficient of variation is above 0.5.
//!
//! The history runs from the file's first date to its last for every position; a day without a
//! row is a day without sales. With an `on_hand` (or `in_stock`) column, days out of stock at the
//! end of the day are censored: left out of the fit, because their sales show what was on the
//! shelf, not what was wanted (counted in `fit_censored_days`). Without one, zero days are taken
//! as zero demand. Positions are written in order of first appearance in the file; `mean` is the
//! level on the day after the history ends (the trend carried forward), the natural
//! `start_date` of a simulation of what comes next.
//!
//! [`Method::Bootstrap`] writes the history itself instead: `weeks` demand, whole weeks
//! Monday..Sunday replayed at random (weeks with a day out of stock left out).

mod csv;
mod estimate;
mod sales;
mod write;

use rayon::prelude::*;

use crate::distribution::Dist;
use crate::scenario::Diagnostic;
use estimate::{Calendar, Components, MeanModel};
pub use sales::MAX_HISTORY_DAYS;
pub use write::HEADER;

/// Fewest days (and days with sales) a fit is trusted on without a flag.
pub const MIN_DAYS: usize = 56;
/// Fewest days with sales a fit is trusted on without a flag.
pub const MIN_SALES_DAYS: usize = 5;
/// Average interval between demand days above which demand is intermittent (Syntetos–Boylan).
pub const ADI_INTERMITTENT: f64 = 1.32;
/// A mean daily demand from which a low-variability position is simulated as a normal.
pub const LARGE_MEAN: f64 = 100.0;

/// How demand is modelled from the history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// A fitted distribution with seasonality and trend.
    #[default]
    Parametric,
    /// The history itself: `weeks`, whole weeks (Monday..Sunday) replayed at random; weeks with
    /// a day out of stock are left out.
    Bootstrap,
}

/// Something to know about a fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    /// Fewer than [`MIN_DAYS`] days or [`MIN_SALES_DAYS`] days with sales: fitted, but uncertain.
    ShortHistory,
    /// Less than a year of history: no month indices (all 1).
    UnderAYear,
    /// No sales at all: demand 0.
    NoSales,
    /// Out of stock on more than half of the days: the fit rests on the rest.
    MostlyCensored,
}

impl Flag {
    /// The name written in `fit_flag`.
    pub fn name(self) -> &'static str {
        match self {
            Flag::ShortHistory => "short_history",
            Flag::UnderAYear => "under_a_year",
            Flag::NoSales => "no_sales",
            Flag::MostlyCensored => "mostly_censored",
        }
    }
}

/// The fitted demand of one position.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// Location id.
    pub location: String,
    /// SKU id.
    pub sku: String,
    /// Days of history used (the span less censored days).
    pub days: usize,
    /// Days with sales among them.
    pub sales_days: usize,
    /// Days left out as out of stock.
    pub censored_days: usize,
    /// Daily demand on the day after the history (before seasonality).
    pub dist: Dist,
    /// Weekday indices (Monday first, mean 1), when significant.
    pub weekly: Option<[f64; 7]>,
    /// Month indices (January first, mean 1 weighted by days), when significant.
    pub monthly: Option<[f64; 12]>,
    /// Growth of the mean per year (0 = none found).
    pub trend_per_year: f64,
    /// Variance/mean of the de-seasonalised daily demand.
    pub dispersion: f64,
    /// What to know about it.
    pub flags: Vec<Flag>,
}

/// The fits of a whole history.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    /// First date of the history (`YYYY-MM-DD`).
    pub first_date: String,
    /// Last date of the history.
    pub last_date: String,
    /// Days from the first date to the last.
    pub days: usize,
    /// Whether the history says when positions were out of stock.
    pub stock_known: bool,
    /// One fit per position, in order of first appearance.
    pub fits: Vec<Fit>,
}

impl Fitted {
    /// demand.csv as `echelon fit` writes it (see the tables contract).
    pub fn to_csv(&self) -> String {
        write::demand_csv(&self.fits)
    }

    /// The date a simulation of what follows the history starts on (`start_date`).
    pub fn next_date(&self) -> String {
        let last = sales::parse_date(&self.last_date).expect("a written date");
        sales::format_date(last + 1)
    }
}

/// Fits every position of a sales history (`file_name` names it in messages).
pub fn fit_history(history_text: &str, file_name: &str, method: Method) -> Result<Fitted, Vec<Diagnostic>> {
    let s = sales::read(history_text, file_name)?;
    let n = (i64::from(s.last) - i64::from(s.first) + 1) as usize;
    let cal = Calendar::new(s.first, n);
    let weeks = whole_weeks(&cal);
    if method == Method::Bootstrap && weeks.is_empty() {
        return Err(vec![Diagnostic {
            file: file_name.to_string(),
            line: 0,
            column: 0,
            key: "history".into(),
            message: format!(
                "--method bootstrap replays whole weeks, Monday to Sunday, but the history ({} to {}) holds none",
                sales::format_date(s.first),
                sales::format_date(s.last)
            ),
            help: Some("give at least a whole week of history, or fit with --method parametric".into()),
        }]);
    }
    let fits = s
        .positions
        .par_iter()
        .map(|p| {
            let h = Series::of(p, s.first, n);
            match method {
                Method::Parametric => parametric(p, &h, &cal),
                Method::Bootstrap => bootstrap(p, &h, &weeks),
            }
        })
        .collect();
    Ok(Fitted {
        first_date: sales::format_date(s.first),
        last_date: sales::format_date(s.last),
        days: n,
        stock_known: s.stock_known,
        fits,
    })
}

/// demand.csv text fitted from a sales history, exactly as `echelon fit` writes it.
pub fn fit_demand_csv(history_text: &str, file_name: &str) -> Result<String, Vec<Diagnostic>> {
    fit_history(history_text, file_name, Method::Parametric).map(|f| f.to_csv())
}

/// One position's daily history over the whole span.
struct Series {
    units: Vec<f64>,
    /// Not censored.
    used: Vec<bool>,
    days: usize,
    sales_days: usize,
}

impl Series {
    fn of(p: &sales::PositionRows, first: i32, n: usize) -> Series {
        let mut units = vec![0.0; n];
        let mut used = vec![true; n];
        for r in &p.rows {
            let t = (r.day - first) as usize;
            units[t] = r.units;
            used[t] = !r.out_of_stock;
        }
        let days = used.iter().filter(|&&u| u).count();
        let sales_days = (0..n).filter(|&t| used[t] && units[t] > 0.0).count();
        Series { units, used, days, sales_days }
    }

    /// The flags of a position with this history.
    fn flags(&self) -> Vec<Flag> {
        let n = self.units.len();
        let mut flags = Vec::new();
        if self.days < MIN_DAYS || self.sales_days < MIN_SALES_DAYS {
            flags.push(Flag::ShortHistory);
        }
        if self.days < 365 {
            flags.push(Flag::UnderAYear);
        }
        if self.sales_days == 0 {
            flags.push(Flag::NoSales);
        }
        if n - self.days > n / 2 {
            flags.push(Flag::MostlyCensored);
        }
        flags
    }

    /// A fit of this history with the given demand model.
    fn fit(&self, p: &sales::PositionRows, dist: Dist, dispersion: f64) -> Fit {
        Fit {
            location: p.location.clone(),
            sku: p.sku.clone(),
            days: self.days,
            sales_days: self.sales_days,
            censored_days: self.units.len() - self.days,
            dist,
            weekly: None,
            monthly: None,
            trend_per_year: 0.0,
            dispersion,
            flags: self.flags(),
        }
    }
}

/// Fits one position: level, seasonality, trend and distribution.
fn parametric(p: &sales::PositionRows, h: &Series, cal: &Calendar) -> Fit {
    let want = Components {
        weekly: h.days >= 14 && h.sales_days >= 35,
        monthly: h.days >= 365 && h.sales_days >= 60,
        // Under two years a season's rise (a winter good's autumn) reads as a trend, and a
        // trend is compounded into every simulated day: it is only fitted beside the seasons.
        trend: h.days >= 730 && h.sales_days >= 10,
    };
    let (model, phi) = estimate::fit_mean(cal, &h.units, &h.used, want);
    let dist = choose(cal, &h.units, &h.used, &model, phi);
    Fit {
        weekly: model.kept.weekly.then_some(model.weekly),
        monthly: model.kept.monthly.then_some(model.monthly),
        trend_per_year: if model.kept.trend { (365.0 * model.beta).exp_m1() } else { 0.0 },
        ..h.fit(p, dist, phi)
    }
}

/// The first day of each whole week (Monday..Sunday) of the history.
fn whole_weeks(cal: &Calendar) -> Vec<usize> {
    let n = cal.weekday.len();
    (0..n).filter(|&t| cal.weekday[t] == 0 && t + 7 <= n).collect()
}

/// The position's whole weeks without a day out of stock (all whole weeks if every one has
/// one), one after another: `weeks` demand.
fn bootstrap(p: &sales::PositionRows, h: &Series, weeks: &[usize]) -> Fit {
    let clean = |&&w: &&usize| h.used[w..w + 7].iter().all(|&u| u);
    let mut kept: Vec<usize> = weeks.iter().filter(clean).copied().collect();
    if kept.is_empty() {
        kept = weeks.to_vec();
    }
    let values: Vec<f64> = kept.iter().flat_map(|&w| h.units[w..w + 7].iter().copied()).collect();
    let dist = Dist::Weeks { values };
    let (mean, sd) = (dist.mean(), dist.sd());
    h.fit(p, dist, if mean > 0.0 { sd * sd / mean } else { 0.0 })
}

/// The daily distribution on the day after the history, by dispersion (see the module docs).
fn choose(cal: &Calendar, units: &[f64], used: &[bool], m: &MeanModel, phi: f64) -> Dist {
    let n = units.len();
    let mean = m.level_at(n as f64);
    let (mut days, mut nonzero, mut whole) = (0usize, 0usize, true);
    for t in (0..n).filter(|&t| used[t]) {
        days += 1;
        nonzero += usize::from(units[t] > 0.0);
        whole &= units[t].fract() == 0.0;
    }
    if nonzero == 0 || mean <= 0.0 {
        return Dist::Poisson { mean: 0.0 };
    }
    let cv = estimate::cv2(cal, units, used, m).sqrt();
    if !whole {
        return if cv > 0.5 { Dist::Gamma { mean, sd: cv * mean } } else { Dist::Normal { mean, sd: cv * mean } };
    }
    if days as f64 / nonzero as f64 > ADI_INTERMITTENT {
        return intermittent(cal, units, used, m, mean, nonzero);
    }
    let df = days.saturating_sub(1).max(1) as f64;
    let band = (3.0 * ((2.0 + 1.0 / mean) / df).sqrt()).max(0.1);
    if (mean >= LARGE_MEAN && cv <= 0.3) || phi < 1.0 - band || mean > 1e7 {
        Dist::Normal { mean, sd: cv * mean }
    } else if phi <= 1.0 + band {
        Dist::Poisson { mean }
    } else {
        Dist::NegativeBinomial { mean, sd: (phi * mean).sqrt() }
    }
}

/// Croston-style: the probability of a demand day at the reference level is the number of
/// demand days over the sum of the days' multipliers (seasonality moves occurrence in the
/// engine); the sizes' second moment is that of the demand days.
fn intermittent(cal: &Calendar, units: &[f64], used: &[bool], m: &MeanModel, mean: f64, nonzero: usize) -> Dist {
    let (mut exposure, mut square) = (0.0, 0.0);
    for t in (0..units.len()).filter(|&t| used[t]) {
        exposure += m.mean(cal, t) / mean;
        square += units[t] * units[t];
    }
    let probability = (nonzero as f64 / exposure).min(1.0).min(mean);
    let size_square = square / nonzero as f64;
    // At least the sd of equal sizes (what validation asks), which rounding could undercut.
    let least = mean * ((1.0 - probability) / probability).sqrt();
    let sd = (probability * size_square - mean * mean).max(0.0).sqrt().max(least);
    Dist::Intermittent { mean, sd, probability }
}
