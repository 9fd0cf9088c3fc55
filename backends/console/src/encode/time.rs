//! RFC 3339 timestamps in UTC, without a date-time dependency.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// How many fractional digits a timestamp carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Precision {
    /// `2026-11-21T10:00:00.123Z`
    Millis,
    /// `2026-11-21T10:00:00.123456Z`
    Micros,
}

const NANOS_PER_SEC: i128 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Appends `time` as an RFC 3339 UTC timestamp (`YYYY-MM-DDThh:mm:ss.fffZ`).
/// Times before 1970 are written as well; years outside 0..=9999 are not
/// valid RFC 3339 and come out as they are.
pub(crate) fn write_rfc3339(out: &mut String, time: SystemTime, precision: Precision) {
    let nanos = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    };
    // A SystemTime is within ±2^63 seconds of the epoch, so this fits.
    let secs = nanos.div_euclid(NANOS_PER_SEC) as i64;
    let sub = nanos.rem_euclid(NANOS_PER_SEC) as u32;
    let (year, month, day) = civil_from_days(secs.div_euclid(SECS_PER_DAY));
    let of_day = secs.rem_euclid(SECS_PER_DAY);
    let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    let _ = write!(out, "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}");
    let _ = match precision {
        Precision::Millis => write!(out, ".{:03}Z", sub / 1_000_000),
        Precision::Micros => write!(out, ".{:06}Z", sub / 1_000),
    };
}

/// The proleptic Gregorian `(year, month, day)` of the day `days` after
/// 1970-01-01 (negative before it). Howard Hinnant's `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html>): it counts in
/// 400-year eras starting on March 1st, so leap days fall at the end of a
/// year and need no special case.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// The inverse (Hinnant's `days_from_civil`), to check round trips.
    fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn rfc3339(time: SystemTime, precision: Precision) -> String {
        let mut out = String::new();
        write_rfc3339(&mut out, time, precision);
        out
    }

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(10_957), (2000, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(-25_508), (1900, 3, 1)); // 1900 is not a leap year
        assert_eq!(civil_from_days(-25_509), (1900, 2, 28));
        assert_eq!(civil_from_days(-719_468), (0, 3, 1));
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
    }

    #[test]
    fn round_trips_every_day_of_eight_centuries() {
        let mut previous = civil_from_days(-146_097 - 1);
        for days in -146_097..146_097 {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && (1..=31).contains(&d), "{days}");
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((y, m, d) > previous, "{days}");
            previous = (y, m, d);
        }
    }

    #[test]
    fn formats_timestamps() {
        // 2026-11-21T10:00:00.123456789Z
        let t = UNIX_EPOCH + Duration::new(1_795_255_200, 123_456_789);
        assert_eq!(rfc3339(t, Precision::Millis), "2026-11-21T10:00:00.123Z");
        assert_eq!(rfc3339(t, Precision::Micros), "2026-11-21T10:00:00.123456Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH, Precision::Millis),
            "1970-01-01T00:00:00.000Z"
        );
        let before = UNIX_EPOCH - Duration::from_millis(1);
        assert_eq!(
            rfc3339(before, Precision::Millis),
            "1969-12-31T23:59:59.999Z"
        );
    }
}
