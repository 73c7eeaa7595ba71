//! The two date formats Graph and App Configuration speak, to and from unix seconds:
//! ISO 8601 / RFC 3339 UTC (`2026-01-01T00:00:00Z`, Graph `endDateTime`) and the IMF-fixdate
//! HTTP-date of RFC 9110 §5.6.7 (`Sun, 06 Nov 1994 08:49:37 GMT`: `x-ms-date`, `Retry-After`).
//! Civil-date arithmetic after H. Hinnant's `days_from_civil` algorithm (proleptic Gregorian).

use crate::prelude::*;
use crate::text::{cat, decimal_padded};

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Unix seconds of a UTC civil time; `None` for a month, day, hour, minute or second out of
/// range (a leap second, 60, counts as 59).
pub(crate) fn from_parts(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s.min(59)))
}

/// `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC).
pub fn format_rfc3339(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let s = unix.rem_euclid(86_400);
    let two = |n: i64| decimal_padded(n as u64, 2);
    cat(&[
        &decimal_padded(y as u64, 4),
        "-",
        &two(i64::from(m)),
        "-",
        &two(i64::from(d)),
        "T",
        &two(s / 3600),
        ":",
        &two(s / 60 % 60),
        ":",
        &two(s % 60),
        "Z",
    ])
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses an RFC 3339 date-time as Graph writes it (`2021-09-09T19:50:29.3086381Z`, or with a
/// `+hh:mm` offset); fractional seconds are truncated. `None` when malformed.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let date = s.get(..10)?;
    let rest = s.get(10..)?;
    // Exactly `YYYY-MM-DD` (RFC 3339 §5.6 `full-date`): a ten-character date split anywhere
    // else (`20190-9-09`) would parse to another year.
    if date.get(4..5)? != "-" || date.get(7..8)? != "-" {
        return None;
    }
    let (y, mo, d) = (
        num(date.get(..4)?)?,
        num(date.get(5..7)?)?,
        num(date.get(8..)?)?,
    );
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (h, mi, sec) = (
        num(rest.get(..2)?)?,
        num(rest.get(3..5)?)?,
        num(rest.get(6..8)?)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" {
        return None;
    }
    let mut tail = rest.get(8..)?;
    if let Some(frac) = tail.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        tail = frac.get(digits..)?;
    }
    let offset = match tail {
        "Z" | "z" => 0,
        _ => {
            let sign = match tail.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if tail.len() != 6 || tail.get(3..4)? != ":" {
                return None;
            }
            let (oh, om) = (num(tail.get(1..3)?)?, num(tail.get(4..6)?)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * i64::from(oh * 3600 + om * 60)
        }
    };
    Some(from_parts(i64::from(y), mo, d, h, mi, sec)? - offset)
}

/// The IMF-fixdate HTTP-date, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn format_http_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let s = unix.rem_euclid(86_400);
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(m - 1) as usize];
    format!(
        "{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} GMT",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Parses an IMF-fixdate (the only HTTP-date form senders may generate, RFC 9110 §5.6.7).
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().split(' ');
    let weekday = parts.next()?.strip_suffix(',')?;
    let d = num(parts.next()?)?;
    let mo_name = parts.next()?;
    let y = num(parts.next()?)?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() || !DAYS.contains(&weekday) {
        return None;
    }
    let mo = MONTHS.iter().position(|m| *m == mo_name)? as u32 + 1;
    let mut tp = time.split(':');
    let (h, mi, sec) = (num(tp.next()?)?, num(tp.next()?)?, num(tp.next()?)?);
    if tp.next().is_some() || time.len() != 8 {
        return None;
    }
    from_parts(i64::from(y), mo, d, h, mi, sec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        // RFC 9110 §5.6.7's example.
        assert_eq!(
            format_http_date(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(
            parse_rfc3339("2021-09-09T19:50:29.3086381Z"),
            Some(1_631_217_029)
        );
        assert_eq!(
            parse_rfc3339("2021-09-09T21:50:29+02:00"),
            Some(1_631_217_029)
        );
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    }

    #[test]
    fn malformed_dates_are_none() {
        for bad in [
            "",
            "2021-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-01-01T24:00:00Z",
            "2021-01-01 00:00:00",
            "2021-01-01T00:00:00.Z",
            "2021-1-01T00:00:00Z",
            "+021-01-01T00:00:00Z",
            // Found by fuzzing (fuzz/regressions/datetime): ten characters, the wrong shape.
            "20190-9-09T19:50:29.30863851Z",
            "2021-1-011T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn round_trips(t in 0i64..253_402_300_799) {
            prop_assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
            prop_assert_eq!(parse_http_date(&format_http_date(t)), Some(t));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = parse_rfc3339(&s);
            let _ = parse_http_date(&s);
        }
    }
}
