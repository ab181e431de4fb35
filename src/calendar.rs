//! The proleptic Gregorian calendar, just enough for seasonality: weekday and month of a day.

/// Days in a month (1–12), or `None` for an invalid month.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    })
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

/// Weekday (0 = Monday … 6 = Sunday) and month index (0 = January) of the day `offset` days after
/// `start` (negative offsets are warm-up days before it).
pub fn weekday_and_month(start: (i32, u32, u32), offset: i64) -> (usize, usize) {
    let z = days_from_civil(start.0, start.1, start.2) + offset;
    // 1970-01-01 was a Thursday (weekday 3).
    let weekday = (z + 3).rem_euclid(7) as usize;
    let (_, m, _) = civil_from_days(z);
    (weekday, m as usize - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        // 2024-01-01 was a Monday; 2026-11-26 is a Thursday.
        assert_eq!(weekday_and_month((2024, 1, 1), 0), (0, 0));
        assert_eq!(weekday_and_month((2026, 11, 26), 0), (3, 10));
        assert_eq!(weekday_and_month((2024, 1, 1), -1), (6, 11));
        assert_eq!(weekday_and_month((2024, 1, 1), 31), (3, 1));
        assert_eq!(days_in_month(2023, 2), Some(28));
        assert_eq!(days_in_month(2000, 2), Some(29));
        assert_eq!(days_in_month(1900, 2), Some(28));
        assert_eq!(days_in_month(2024, 13), None);
    }
}
