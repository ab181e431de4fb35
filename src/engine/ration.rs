//! Rationing scarce stock among requests.

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
