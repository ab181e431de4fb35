//! Validation of supplier outages (`disruption`) and transport delays (`delays`).

use toml::{Spanned, Value};

use super::{Delay, Disruption};
use crate::scenario::diag::Diags;
use crate::scenario::raw::{RawDelay, RawDisruption};
use crate::scenario::values::{MAX_QUANTITY, SCALE_UNITS, at_most, check_days, decode_value};

/// A location's `disruption`: one table or a list (markov or scheduled outages).
pub(crate) fn check_disruptions(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Vec<Disruption> {
    let items: Vec<Spanned<Value>> = match v.get_ref() {
        Value::Array(a) => a.iter().map(|x| Spanned::new(v.span(), x.clone())).collect(),
        _ => vec![v.clone()],
    };
    let mut out = Vec::new();
    for it in &items {
        if it.get_ref().get("type").is_none() {
            d.err(
                it.span(),
                key,
                "the disruption has no `type`",
                "type = \"markov\" (random outages) or \"scheduled\" (fixed windows)",
            );
            continue;
        }
        let Some(raw) = decode_value::<RawDisruption>(it, key, d) else {
            continue;
        };
        match raw {
            RawDisruption::Markov { mean_days_up, mean_days_down } => {
                let bad = |x: f64| !x.is_finite() || x < 1.0;
                if bad(mean_days_up) || bad(mean_days_down) {
                    d.err(it.span(), key, format!("markov mean_days_up and mean_days_down must be ≥ 1 day, found {mean_days_up} and {mean_days_down}"), "e.g. { type = \"markov\", mean_days_up = 20, mean_days_down = 4 }");
                    continue;
                }
                out.push(Disruption::Markov { mean_days_up, mean_days_down });
            }
            RawDisruption::Scheduled { windows, capacity_per_day } => {
                if windows.is_empty() || windows.iter().any(|w| w[0] > w[1]) {
                    d.err(
                        it.span(),
                        key,
                        "scheduled windows must be a non-empty list of [first_day, last_day] with first ≤ last",
                        "e.g. windows = [[30, 39], [200, 214]] (inclusive days)",
                    );
                    continue;
                }
                if let Some(c) = capacity_per_day
                    && c > MAX_QUANTITY
                {
                    let help = format!("{SCALE_UNITS}; leave capacity_per_day out for no limit");
                    at_most(
                        d,
                        it.span(),
                        &format!("{key}.capacity_per_day"),
                        c,
                        MAX_QUANTITY,
                        "capacity_per_day",
                        &help,
                    );
                    continue;
                }
                if let Some(c) = capacity_per_day
                    && (!c.is_finite() || c < 0.0)
                {
                    d.err(
                        it.span(),
                        key,
                        format!("capacity_per_day must be ≥ 0, found {c}"),
                        "0 means nothing ships during the window",
                    );
                    continue;
                }
                for w in &windows {
                    d.window_in_horizon(it.span(), key, "the outage window", (w[0], w[1]));
                }
                out.push(Disruption::Scheduled {
                    windows: windows.iter().map(|w| (w[0], w[1])).collect(),
                    capacity_per_day,
                });
            }
        }
    }
    out
}

/// A lane's `delays`: scheduled or random transport delays.
pub(crate) fn check_delays(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Vec<Delay> {
    let items: Vec<Value> = match v.get_ref() {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let mut out = Vec::new();
    for (j, it) in items.iter().enumerate() {
        let k = format!("{key}[{j}]");
        let Some(raw) = decode_value::<RawDelay>(&Spanned::new(v.span(), it.clone()), &k, d) else { continue };
        let Some(extra_days) = check_days(&raw.extra_days, &v.span(), &format!("{k}.extra_days"), 1.0, d) else {
            continue;
        };
        match raw.kind.as_deref() {
            None | Some("scheduled") => match (raw.first_day, raw.last_day) {
                (Some(a), Some(b)) if a <= b => {
                    d.window_in_horizon(v.span(), &k, "the delay window", (a, b));
                    out.push(Delay::Scheduled { windows: vec![(a, b)], extra_days })
                }
                _ => d.err(
                    v.span(),
                    k,
                    "a scheduled delay needs first_day ≤ last_day",
                    "e.g. { first_day = 30, last_day = 51, extra_days = 7 }",
                ),
            },
            Some("random") => {
                let mdb = raw.mean_days_between.unwrap_or(f64::NAN);
                let dur =
                    raw.duration.as_ref().and_then(|x| check_days(x, &v.span(), &format!("{k}.duration"), 1.0, d));
                if !(mdb.is_finite() && mdb >= 1.0) {
                    d.err(
                        v.span(),
                        format!("{k}.mean_days_between"),
                        format!("a random delay needs mean_days_between ≥ 1, found {mdb}"),
                        "e.g. { type = \"random\", mean_days_between = 90, duration = 10, extra_days = 7 }",
                    );
                    continue;
                }
                if let Some(duration) = dur {
                    out.push(Delay::Random { mean_days_between: mdb, duration, extra_days });
                } else if raw.duration.is_none() {
                    d.err(
                        v.span(),
                        format!("{k}.duration"),
                        "a random delay needs `duration` (days)",
                        "e.g. duration = 10 or { type = \"poisson\", mean = 10 }",
                    );
                }
            }
            Some(other) => d.err(
                v.span(),
                format!("{k}.type"),
                format!("unknown delay type '{other}'"),
                "type = \"scheduled\" (default, with first_day/last_day) or \"random\"",
            ),
        }
    }
    out
}
