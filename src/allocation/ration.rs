//! Rationing scarce stock among requests: proportional (the default), priority, tier priority
//! and fair share. Every rule hands out exactly the units available (or everything owed, if
//! that is less), in whole units for whole-unit SKUs, deterministically.

use super::Rule;

/// What a rule knows about one request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Claim {
    /// Units owed to the requester.
    pub owed: f64,
    /// Rank under priority rationing (lower first).
    pub rank: u32,
    /// Tier rank (lower first).
    pub tier: u32,
    /// The requester's stock: on hand + in transit − backorders.
    pub stock: f64,
    /// The requester's expected daily demand.
    pub mu: f64,
}

/// Scratch space for [`allocate`], kept by the caller so the day loop never allocates.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    order: Vec<(f64, u32)>,
    idx: Vec<u32>,
    part: Vec<f64>,
    sub: Vec<(f64, u32)>,
}

impl Scratch {
    /// Scratch for up to `n` claims.
    pub fn with_capacity(n: usize) -> Self {
        Scratch {
            order: Vec::with_capacity(n),
            idx: Vec::with_capacity(n),
            part: Vec::with_capacity(n),
            sub: Vec::with_capacity(n),
        }
    }
}

/// Splits `avail` units among `claims` by `rule`; `out` receives `(units, claim index)` for
/// every claim, in order.
pub fn allocate(rule: Rule, claims: &[Claim], avail: f64, whole: bool, out: &mut Vec<(f64, u32)>, s: &mut Scratch) {
    out.clear();
    out.extend((0..claims.len() as u32).map(|i| (0.0, i)));
    let total: f64 = claims.iter().map(|c| c.owed).sum();
    let mut left = if whole { avail.floor() } else { avail }.min(total).max(0.0);
    if left <= 0.0 {
        return;
    }
    match rule {
        Rule::Proportional => {
            s.part.clear();
            s.part.extend(claims.iter().map(|c| c.owed));
            proportional(&s.part, left, whole, &mut s.sub, &mut s.order);
            for &(x, i) in &s.sub {
                out[i as usize].0 = x;
            }
        }
        Rule::Priority => {
            s.idx.clear();
            s.idx.extend(0..claims.len() as u32);
            s.idx.sort_by_key(|&i| (claims[i as usize].rank, i));
            for &i in &s.idx {
                let x = claims[i as usize].owed.min(left);
                out[i as usize].0 = x;
                left -= x;
            }
        }
        Rule::TierPriority => {
            s.idx.clear();
            s.idx.extend(0..claims.len() as u32);
            s.idx.sort_by_key(|&i| (claims[i as usize].tier, i));
            let mut a = 0;
            while a < s.idx.len() && left > 0.0 {
                let tier = claims[s.idx[a] as usize].tier;
                let b = a + s.idx[a..].iter().take_while(|&&i| claims[i as usize].tier == tier).count();
                let tier_total: f64 = s.idx[a..b].iter().map(|&i| claims[i as usize].owed).sum();
                if tier_total <= left {
                    for &i in &s.idx[a..b] {
                        out[i as usize].0 = claims[i as usize].owed;
                    }
                    left -= tier_total;
                } else {
                    // Proportional within the tier that runs out (indices ascending inside it).
                    s.part.clear();
                    s.part.extend(s.idx[a..b].iter().map(|&i| claims[i as usize].owed));
                    proportional(&s.part, left, whole, &mut s.sub, &mut s.order);
                    for &(x, j) in &s.sub {
                        out[s.idx[a + j as usize] as usize].0 = x;
                    }
                    left = 0.0;
                }
                a = b;
            }
        }
        Rule::FairShare => fair_share(claims, left, whole, out, s),
    }
}

/// Water-filling: finds the days-of-cover level λ at which giving each claimant
/// clamp(λ·μ − stock, 0, owed) uses exactly the units available, so that covers after
/// allocation are as equal as the claims allow; whole units by largest remainder.
fn fair_share(claims: &[Claim], left: f64, whole: bool, out: &mut [(f64, u32)], s: &mut Scratch) {
    // A claimant without demand has infinite cover: it is served last.
    let mu = |c: &Claim| c.mu.max(1e-9);
    let give = |lam: f64, c: &Claim| (lam * mu(c) - c.stock).clamp(0.0, c.owed);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for c in claims {
        lo = lo.min(c.stock / mu(c));
        hi = hi.max((c.stock + c.owed) / mu(c));
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        let used: f64 = claims.iter().map(|c| give(mid, c)).sum();
        if used < left { lo = mid } else { hi = mid }
    }
    s.part.clear();
    s.part.extend(claims.iter().map(|c| give(hi, c)));
    // Scale the last bit of rounding away so the shares add up to exactly `left`.
    let sum: f64 = s.part.iter().sum();
    if sum > 0.0 {
        let f = left / sum;
        for (x, c) in s.part.iter_mut().zip(claims) {
            *x = (*x * f).min(c.owed);
        }
    }
    if !whole {
        for (o, &x) in out.iter_mut().zip(&s.part) {
            o.0 = x;
        }
        return;
    }
    let mut given = 0.0;
    for (o, &x) in out.iter_mut().zip(&s.part) {
        o.0 = x.floor();
        given += o.0;
    }
    let mut extra = (left - given).round() as usize;
    s.order.clear();
    s.order.extend(s.part.iter().enumerate().map(|(i, &x)| (x - x.floor(), i as u32)));
    s.order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in &s.order {
        if extra == 0 {
            break;
        }
        let o = &mut out[i as usize];
        if o.0 + 1.0 <= claims[i as usize].owed {
            o.0 += 1.0;
            extra -= 1;
        }
    }
}

/// Splits `avail` (< Σ requests) in proportion to `requests`. For whole units, each request gets
/// the floor of its share and the leftover units go one by one to the largest fractional parts
/// (ties to the earlier request): the largest-remainder method, deterministic, and exactly
/// `avail` units in all. `out` receives `(units, request index)` for every request, in order;
/// `order` is scratch space (kept by the caller so the day loop never allocates).
pub fn proportional(requests: &[f64], avail: f64, whole: bool, out: &mut Vec<(f64, u32)>, order: &mut Vec<(f64, u32)>) {
    out.clear();
    let total: f64 = requests.iter().sum();
    if total <= 0.0 || avail <= 0.0 {
        out.extend((0..requests.len() as u32).map(|i| (0.0, i)));
        return;
    }
    let avail = avail.min(total);
    if !whole {
        let f = avail / total;
        out.extend(requests.iter().enumerate().map(|(i, &r)| ((r * f).min(r), i as u32)));
        return;
    }
    let avail = avail.floor();
    let mut given = 0.0;
    for (i, &r) in requests.iter().enumerate() {
        let share = avail * r / total;
        let base = share.floor().min(r);
        given += base;
        out.push((base, i as u32));
    }
    let mut left = (avail - given).round() as usize;
    if left == 0 {
        return;
    }
    // Order by fractional part, largest first, ties to the earlier request.
    order.clear();
    for (i, &r) in requests.iter().enumerate() {
        let frac = avail * r / total - out[i].0;
        if frac > 0.0 && out[i].0 < r {
            order.push((frac, i as u32));
        }
    }
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in order.iter() {
        if left == 0 {
            break;
        }
        out[i as usize].0 += 1.0;
        left -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(req: &[f64], avail: f64, whole: bool) -> Vec<f64> {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        proportional(req, avail, whole, &mut out, &mut scratch);
        out.iter().map(|x| x.0).collect()
    }

    #[test]
    fn hand_computed_cases() {
        // 10 units for requests 6, 3, 1 (total 10): exact.
        assert_eq!(alloc(&[6.0, 3.0, 1.0], 10.0, true), vec![6.0, 3.0, 1.0]);
        // 7 units for 6, 3, 1: shares 4.2, 2.1, 0.7 -> floors 4, 2, 0, one left to the 0.7.
        assert_eq!(alloc(&[6.0, 3.0, 1.0], 7.0, true), vec![4.0, 2.0, 1.0]);
        // 5 units for three equal requests of 4: shares 1.67 each -> 1,1,1 + two to the first two.
        assert_eq!(alloc(&[4.0, 4.0, 4.0], 5.0, true), vec![2.0, 2.0, 1.0]);
        // Continuous: exactly proportional.
        let c = alloc(&[6.0, 3.0, 1.0], 5.0, false);
        assert_eq!(c, vec![3.0, 1.5, 0.5]);
        // Nothing available.
        assert_eq!(alloc(&[2.0, 2.0], 0.0, true), vec![0.0, 0.0]);
    }

    fn claims(owed: &[f64]) -> Vec<Claim> {
        owed.iter().map(|&o| Claim { owed: o, rank: 0, tier: 0, stock: 0.0, mu: 1.0 }).collect()
    }

    fn run(rule: Rule, c: &[Claim], avail: f64, whole: bool) -> Vec<f64> {
        let (mut out, mut s) = (Vec::new(), Scratch::default());
        allocate(rule, c, avail, whole, &mut out, &mut s);
        out.iter().map(|x| x.0).collect()
    }

    #[test]
    fn priority_serves_in_rank_order() {
        let mut c = claims(&[5.0, 4.0, 6.0]);
        (c[0].rank, c[1].rank, c[2].rank) = (2, 0, 1);
        // 8 units: rank 0 (4) in full, rank 1 (6) gets the remaining 4, rank 2 nothing.
        assert_eq!(run(Rule::Priority, &c, 8.0, true), vec![0.0, 4.0, 4.0]);
        assert_eq!(run(Rule::Priority, &c, 100.0, true), vec![5.0, 4.0, 6.0]);
    }

    #[test]
    fn tier_priority_serves_tier_by_tier() {
        let mut c = claims(&[4.0, 6.0, 3.0, 3.0]);
        (c[0].tier, c[1].tier, c[2].tier, c[3].tier) = (1, 0, 1, 2);
        // 11 units: tier 0 (6) in full; tier 1 owes 7 and gets 5 proportionally to 4 : 3
        // (2.857, 2.143 → floors 2, 2, leftover 1 to the larger remainder .857); tier 2 none.
        assert_eq!(run(Rule::TierPriority, &c, 11.0, true), vec![3.0, 6.0, 2.0, 0.0]);
    }

    #[test]
    fn fair_share_equalises_cover() {
        let mut c = claims(&[10.0, 10.0, 10.0]);
        // Stocks 0, 4, 8 with demand 2, 2, 1 a day: covers 0, 2, 8 days.
        (c[0].stock, c[1].stock, c[2].stock) = (0.0, 4.0, 8.0);
        (c[0].mu, c[1].mu, c[2].mu) = (2.0, 2.0, 1.0);
        // 8 units: level λ with (2λ − 0) + (2λ − 4) = 8 → λ = 3: give 6 and 2; the third (cover 8)
        // gets nothing.
        assert_eq!(run(Rule::FairShare, &c, 8.0, true), vec![6.0, 2.0, 0.0]);
        // Continuous, 20 units: the first two reach what they are owed (10 each) at λ = 7, below
        // the third's cover of 8, so it gets nothing.
        let v = run(Rule::FairShare, &c, 20.0, false);
        assert!((v[0] - 10.0).abs() < 1e-9 && (v[1] - 10.0).abs() < 1e-9 && v[2].abs() < 1e-9, "{v:?}");
    }

    #[test]
    fn every_rule_hands_out_exactly_what_is_available() {
        let mut c = claims(&[3.0, 0.0, 11.0, 5.0, 1.0, 7.0]);
        for (i, x) in c.iter_mut().enumerate() {
            x.rank = (7 * i as u32) % 5;
            x.tier = (i as u32) % 3;
            x.stock = i as f64 * 1.5;
            x.mu = 1.0 + i as f64 * 0.5;
        }
        for rule in [Rule::Proportional, Rule::Priority, Rule::TierPriority, Rule::FairShare] {
            for a in 0..30 {
                let v = run(rule, &c, f64::from(a), true);
                assert_eq!(v.iter().sum::<f64>(), f64::from(a).min(27.0), "{rule:?} with {a}");
                for (x, cl) in v.iter().zip(&c) {
                    assert!(*x >= 0.0 && *x <= cl.owed && x.fract() == 0.0, "{rule:?} with {a}: {v:?}");
                }
            }
        }
    }

    #[test]
    fn whole_units_sum_to_available() {
        let req = [3.0, 0.0, 11.0, 5.0, 1.0, 7.0];
        for a in 0..27 {
            let v = alloc(&req, f64::from(a), true);
            assert_eq!(v.iter().sum::<f64>(), f64::from(a));
            for (x, r) in v.iter().zip(&req) {
                assert!(*x >= 0.0 && x <= r && x.fract() == 0.0);
            }
        }
    }
}
