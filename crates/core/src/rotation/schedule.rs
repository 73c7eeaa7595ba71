//! When a scheduled rotation runs next: a pure decision of the schedule (Infisical's
//! `rotationInterval` and `rotateAtUtc`), so every host computes the same instant. The host
//! keeps the clock and stores the answer.

use crate::error::{Code, Error};

const DAY: i64 = 86_400;

/// A time of day in UTC, to the minute: the window a scheduled run waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeOfDay {
    hours: u8,
    minutes: u8,
}

impl TimeOfDay {
    /// Midnight UTC, the default.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay {
        hours: 0,
        minutes: 0,
    };

    /// `hours` 0–23 and `minutes` 0–59; the error names `hours` or `minutes`.
    pub fn new(hours: i64, minutes: i64) -> Result<TimeOfDay, Error> {
        let hours = u8::try_from(hours)
            .ok()
            .filter(|h| *h < 24)
            .ok_or_else(|| Error::field("hours", Code::OutOfRange, "hours are 0 to 23 (UTC)"))?;
        let minutes = u8::try_from(minutes)
            .ok()
            .filter(|m| *m < 60)
            .ok_or_else(|| Error::field("minutes", Code::OutOfRange, "minutes are 0 to 59"))?;
        Ok(TimeOfDay { hours, minutes })
    }

    pub fn hours(self) -> u8 {
        self.hours
    }

    pub fn minutes(self) -> u8 {
        self.minutes
    }

    fn secs(self) -> i64 {
        i64::from(self.hours) * 3_600 + i64::from(self.minutes) * 60
    }
}

/// When a rotation that has not yet succeeded runs: `now`, so a new rotation gets its first
/// secret on the scheduler's next tick (Infisical rotates on creation); after a success, the
/// interval and the window apply ([`next_run`]).
pub fn first_or_next(
    last_success: Option<i64>,
    now: i64,
    interval_secs: i64,
    at: TimeOfDay,
) -> i64 {
    last_success.map_or(now, |base| next_run(base, interval_secs, at))
}

/// The first instant (unix seconds) at `at` on or after `base + interval_secs`: a run never
/// comes before its interval has passed, and always inside the chosen window. `base` is when
/// the rotation last succeeded.
pub fn next_run(base: i64, interval_secs: i64, at: TimeOfDay) -> i64 {
    let earliest = base.saturating_add(interval_secs);
    let day = earliest.div_euclid(DAY).saturating_mul(DAY);
    let candidate = day.saturating_add(at.secs());
    if candidate < earliest {
        candidate.saturating_add(DAY)
    } else {
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-10T00:00:00Z.
    const MARCH_10: i64 = 1_773_100_800;

    fn at(h: i64, m: i64) -> TimeOfDay {
        TimeOfDay::new(h, m).expect("valid")
    }

    #[test]
    fn a_rotation_that_never_succeeded_is_due_now() {
        assert_eq!(
            first_or_next(None, MARCH_10 + 7, 30 * DAY, at(14, 5)),
            MARCH_10 + 7
        );
        assert_eq!(
            first_or_next(Some(MARCH_10), MARCH_10 + 7, 30 * DAY, at(14, 5)),
            MARCH_10 + 30 * DAY + 14 * 3_600 + 5 * 60
        );
    }

    #[test]
    fn the_run_waits_for_the_window_after_the_interval() {
        let base = MARCH_10 + 10 * 3_600 + 30 * 60; // 10:30
        // Midnight: the interval ends at 10:30, the next midnight follows.
        assert_eq!(
            next_run(base, 30 * DAY, TimeOfDay::MIDNIGHT),
            MARCH_10 + 31 * DAY
        );
        // Later the same day.
        assert_eq!(
            next_run(base, 30 * DAY, at(14, 5)),
            MARCH_10 + 30 * DAY + 14 * 3_600 + 5 * 60
        );
        // Earlier in the day: the day after.
        assert_eq!(
            next_run(base, 30 * DAY, at(9, 0)),
            MARCH_10 + 31 * DAY + 9 * 3_600
        );
    }

    #[test]
    fn exactly_at_the_window_is_on_time_and_one_second_late_waits_a_day() {
        let base = MARCH_10 + 2 * 3_600;
        assert_eq!(next_run(base, DAY, at(2, 0)), base + DAY);
        assert_eq!(next_run(base + 1, DAY, at(2, 0)), base + 2 * DAY);
        assert_eq!(next_run(base, DAY, at(1, 59)), base + 2 * DAY - 60);
    }

    #[test]
    fn the_last_minute_of_the_day_and_instants_before_1970() {
        assert_eq!(next_run(MARCH_10, DAY, at(23, 59)), MARCH_10 + 2 * DAY - 60);
        // Whole days are counted from the epoch in both directions.
        assert_eq!(next_run(-DAY - 1, DAY, at(0, 0)), 0);
        assert_eq!(
            next_run(i64::MAX - 10, DAY, at(0, 0)),
            i64::MAX,
            "no overflow"
        );
    }

    #[test]
    fn hours_and_minutes_are_bounded_and_named() {
        assert_eq!(at(23, 59).hours(), 23);
        assert_eq!(at(23, 59).minutes(), 59);
        for (h, m, field) in [
            (24, 0, "hours"),
            (-1, 0, "hours"),
            (0, 60, "minutes"),
            (0, -1, "minutes"),
            (i64::MAX, 0, "hours"),
        ] {
            let e = TimeOfDay::new(h, m).expect_err("out of range");
            assert_eq!(e.field.as_deref(), Some(field), "{h}:{m}");
            assert_eq!(e.code, Code::OutOfRange);
        }
    }
}
