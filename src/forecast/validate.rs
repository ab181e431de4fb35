//! Validation of demand forecasts (used by push allocation and forecast-driven policies).

use std::ops::Range;

use super::{Forecast, ForecastMethod};
use crate::scenario::diag::{Diags, closest};
use crate::scenario::raw::RawForecast;

/// A forecast table: method and its parameter, scope, bias and noise.
pub(crate) fn check_forecast(f: &RawForecast, span: &Range<usize>, key: &str, d: &mut Diags) -> Option<Forecast> {
    let int = |x: Option<i64>, name: &str, default: i64, d: &mut Diags| -> Option<u32> {
        let v = x.unwrap_or(default);
        if (1..=3650).contains(&v) {
            Some(v as u32)
        } else {
            d.err(
                span.clone(),
                format!("{key}.{name}"),
                format!("{name} must be between 1 and 3650 days, found {v}"),
                "e.g. window = 28",
            );
            None
        }
    };
    let method = match f.method.as_str() {
        "moving_average" => ForecastMethod::MovingAverage { window: int(f.window, "window", 28, d)? },
        "exp_smoothing" => {
            let a = f.alpha.unwrap_or(0.2);
            if !(a > 0.0 && a <= 1.0) {
                d.err(
                    span.clone(),
                    format!("{key}.alpha"),
                    format!("alpha must be in (0, 1], found {a}"),
                    "e.g. alpha = 0.2",
                );
                return None;
            }
            ForecastMethod::ExpSmoothing { alpha: a }
        }
        "seasonal_naive" => ForecastMethod::SeasonalNaive { season: int(f.season, "season", 7, d)? },
        "plan" => ForecastMethod::Plan,
        other => {
            let all = ["moving_average", "exp_smoothing", "seasonal_naive", "plan"];
            let help = match closest(other, all) {
                Some(b) => format!("did you mean \"{b}\"? (methods: {})", all.join(", ")),
                None => format!("methods: {}", all.join(", ")),
            };
            d.err(span.clone(), format!("{key}.method"), format!("unknown forecast method '{other}'"), help);
            return None;
        }
    };
    let national = match f.scope.as_deref() {
        None | Some("store") | Some("location") | Some("regional") => false,
        Some("national") => true,
        Some(other) => {
            d.err(
                span.clone(),
                format!("{key}.scope"),
                format!("unknown forecast scope '{other}'"),
                "scope = \"store\" (each location's own demand) or \"national\" (the total split evenly)",
            );
            return None;
        }
    };
    let bias = f.bias.unwrap_or(0.0);
    let noise_cv = f.noise_cv.unwrap_or(0.0);
    if !(bias.is_finite() && bias > -1.0 && noise_cv.is_finite() && noise_cv >= 0.0) {
        d.err(
            span.clone(),
            key.to_string(),
            format!("bias must be above -1 and noise_cv ≥ 0, found {bias} and {noise_cv}"),
            "bias = 0.1 over-forecasts by 10 %; noise_cv = 0.2 adds 20 % random error",
        );
        return None;
    }
    Some(Forecast { method, national, bias, noise_cv })
}
