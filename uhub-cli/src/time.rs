//! Times: reading the service's, showing them to people, and durations such as `30d`.
//!
//! Every time the service sends reaches the CLI here: the SDK's typed [`uhub_sdk::Time`] reads
//! the service's forms (`YYYY-MM-DD HH:MM:SS` in UTC+8, Unix seconds or milliseconds, RFC 3339);
//! [`ServiceTime`] adds the CLI's one rule on top, that no time before 1970 counts.

use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, SpanRelativeTo, Timestamp};
use uhub_sdk::{ImageSet, RepoSet, TagSet};

/// A time field of a response.
pub trait ServiceTime {
    /// The instant, or `None` when the text is no time we can read.
    fn instant(&self) -> Option<Timestamp>;
}

impl ServiceTime for uhub_sdk::Time {
    /// The SDK reads every form the service sends; a zero or negative instant (`0`, or a date
    /// before 1970) is taken as unreadable too, so no rule ever treats it as very old.
    fn instant(&self) -> Option<Timestamp> {
        self.timestamp().filter(|t| t.as_second() > 0)
    }
}

/// Any time field of a response.
pub fn instant(field: &impl ServiceTime) -> Option<Timestamp> {
    field.instant()
}

/// When a tag was last pushed.
pub fn pushed_at(tag: &TagSet) -> Option<Timestamp> {
    tag.update_time.instant()
}

/// When an image last changed.
pub fn image_updated(image: &ImageSet) -> Option<Timestamp> {
    image.update_time.instant()
}

/// When a repository last changed.
pub fn repo_updated(repo: &RepoSet) -> Option<Timestamp> {
    repo.update_time.instant()
}

/// The relative time, or `-` when unknown.
pub fn relative_or_dash(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map_or_else(|| "-".to_owned(), |t| relative(t, now))
}

/// `3 days ago`, `just now`, `in 2 hours` (a clock ahead of ours).
pub fn relative(t: Timestamp, now: Timestamp) -> String {
    let secs = now.as_second() - t.as_second();
    let (n, unit) = match secs.unsigned_abs() {
        s if s < 60 => return "just now".to_owned(),
        s if s < 3_600 => (s / 60, "minute"),
        s if s < 2 * 86_400 => (s / 3_600, "hour"),
        s if s < 60 * 86_400 => (s / 86_400, "day"),
        s if s < 730 * 86_400 => (s / (30 * 86_400), "month"),
        s => (s / (365 * 86_400), "year"),
    };
    let plural = if n == 1 { "" } else { "s" };
    if secs >= 0 { format!("{n} {unit}{plural} ago") } else { format!("in {n} {unit}{plural}") }
}

/// The instant in this machine's time zone: `2024-03-01 08:00 CST`.
pub fn absolute(t: Timestamp) -> String {
    t.to_zoned_datetime(TimeZone::system()).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

/// RFC 3339 in UTC, for JSON.
pub fn rfc3339(t: Timestamp) -> String {
    t.to_string()
}

/// Parses `30d`, `12h`, `90s`, `2w`, `1h30m` (a day is 24 hours; months and years are refused
/// because their length varies).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let hint = "use a number and a unit, e.g. 90s, 10m, 12h, 30d, 2w";
    if text.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    let span: Span = text.trim().parse().map_err(|_| format!("{text:?} is not a duration: {hint}"))?;
    if span.get_months() != 0 || span.get_years() != 0 {
        return Err(format!("{text:?}: months and years vary in length; use days or weeks, e.g. 30d, 52w"));
    }
    let signed: SignedDuration = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|e| format!("{text:?} is not a duration ({e}): {hint}"))?;
    Duration::try_from(signed).map_err(|_| format!("{text:?} is negative: {hint}"))
}

/// `30d`, `12h`, `10m`, `90s`: a duration as people write it.
pub fn format_duration(d: Duration) -> String {
    match d.as_secs() {
        0 => format!("{}ms", d.as_millis()),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `now` minus `age`, or `None` when that is before any representable time.
pub fn before(now: Timestamp, age: Duration) -> Option<Timestamp> {
    SignedDuration::try_from(age).ok().and_then(|d| now.checked_sub(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn read(raw: &str) -> Option<Timestamp> {
        uhub_sdk::Time::parse(raw).instant()
    }

    #[test]
    fn service_text_is_utc_plus_eight_and_numbers_are_unix_time() {
        assert_eq!(read("2024-03-01 08:00:00"), Some(ts("2024-03-01T00:00:00Z")));
        assert_eq!(read("1709251200"), Some(ts("2024-03-01T00:00:00Z")));
        assert_eq!(read("1709251200000"), Some(ts("2024-03-01T00:00:00Z")));
    }

    #[test]
    fn unreadable_times_are_none() {
        for raw in [
            "",
            "0",
            "0000-00-00 00:00:00",
            "yesterday",
            "2024-13-01 00:00:00",
            "-5",
            "2024-03-01 08:00:6x",
            "2024-02-30 00:00:00",
        ] {
            assert_eq!(read(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = ts("2024-03-31T00:00:00Z");
        assert_eq!(relative(ts("2024-03-30T23:59:30Z"), now), "just now");
        assert_eq!(relative(ts("2024-03-30T23:00:00Z"), now), "1 hour ago");
        assert_eq!(relative(ts("2024-03-01T00:00:00Z"), now), "30 days ago");
        assert_eq!(relative(ts("2023-03-01T00:00:00Z"), now), "13 months ago");
        assert_eq!(relative(ts("2020-03-01T00:00:00Z"), now), "4 years ago");
        assert_eq!(relative(ts("2024-03-31T02:00:00Z"), now), "in 2 hours");
    }

    #[test]
    fn durations_take_days_and_weeks_but_not_months() {
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("3mo").unwrap_err().contains("months"));
        assert!(parse_duration("soon").unwrap_err().contains("e.g. 90s"));
        assert!(parse_duration("-5m").is_err());
    }

    #[test]
    fn durations_print_in_their_largest_whole_unit() {
        assert_eq!(format_duration(Duration::from_secs(30 * 86_400)), "30d");
        assert_eq!(format_duration(Duration::from_secs(7_200)), "2h");
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    }
}
