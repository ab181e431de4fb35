//! Validation of lead times: a whole number of days or a distribution of them, and the stress
//! transforms that widen or add noise to a lead time.

use toml::{Spanned, Value};

use super::LeadTime;
use crate::distribution::Dist;
use crate::scenario::diag::Diags;
use crate::scenario::values::check_dist_value;

/// A lane's `lead_time`: whole days ≥ 1, or a distribution of them.
pub(crate) fn check_lead_time(v: &Spanned<Value>, key: &str, d: &mut Diags) -> LeadTime {
    match v.get_ref() {
        Value::Integer(n) if *n >= 1 && *n <= 100_000 => LeadTime::Days(*n as u32),
        Value::Integer(n) => {
            d.err(
                v.span(),
                key,
                format!("lead time must be at least 1 day, found {n}"),
                "a shipment leaving on day t arrives on day t + lead_time, so lead_time ≥ 1",
            );
            LeadTime::Days(1)
        }
        Value::Float(x) => {
            d.err(
                v.span(),
                key,
                format!("lead time must be a whole number of days, found {x}"),
                "write e.g. lead_time = 3, or a distribution { type = \"normal\", mean = 2.5, sd = 1 }",
            );
            LeadTime::Days(1)
        }
        Value::Table(_) => match check_dist_value(v, key, true, d) {
            Some(Dist::Constant { value }) => LeadTime::Days(value as u32),
            Some(dist) => LeadTime::Random(dist),
            None => LeadTime::Days(1),
        },
        other => {
            d.err(
                v.span(),
                key,
                format!("expected a number of days or a distribution table, found {}", other.type_str()),
                "e.g. lead_time = 3 or lead_time = { type = \"poisson\", mean = 3 }",
            );
            LeadTime::Days(1)
        }
    }
}

/// Lead time with its variance scaled by `f` around the same mean (whole days ≥ 1).
pub(crate) fn scale_lead_time_variance(lt: LeadTime, f: f64) -> LeadTime {
    let k = f.sqrt();
    let LeadTime::Random(dist) = lt else { return lt };
    let m = dist.mean();
    let spread = |v: f64| (m + (v - m) * k).round().max(1.0);
    LeadTime::Random(match dist {
        Dist::Normal { mean, sd } => Dist::Normal { mean, sd: sd * k },
        Dist::Gamma { mean, sd } => Dist::Gamma { mean, sd: sd * k },
        Dist::Poisson { mean } => Dist::Gamma { mean, sd: (mean * f).sqrt() },
        Dist::NegativeBinomial { mean, sd } | Dist::Intermittent { mean, sd, .. } => Dist::Gamma { mean, sd: sd * k },
        Dist::Uniform { min, max } => Dist::Uniform { min: spread(min), max: spread(max) },
        Dist::Empirical { values } => Dist::Empirical { values: values.iter().map(|&v| spread(v)).collect() },
        Dist::Sequence { values } => Dist::Sequence { values: values.iter().map(|&v| spread(v)).collect() },
        Dist::Weeks { values } => Dist::Empirical { values: values.iter().map(|&v| spread(v)).collect() },
        c @ Dist::Constant { .. } => c,
    })
}

/// Lead time with normal noise of standard deviation `x` added (becomes a normal lead time).
pub(crate) fn add_lead_time_noise(lt: LeadTime, x: f64) -> LeadTime {
    if x == 0.0 {
        return lt;
    }
    let (mean, sd) = (lt.mean(), lt.sd());
    LeadTime::Random(Dist::Normal { mean, sd: (sd * sd + x * x).sqrt() })
}
