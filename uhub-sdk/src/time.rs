//! Times as UHub sends them: a [`Time`] keeps the service's text and, when it can be read, the
//! instant it names.
//!
//! The reference pages and the service disagree on the form of `CreateTime`/`UpdateTime`: the
//! tables say string, the examples show small integers, and pages have flipped between the two.
//! So a time is never a decode error. These forms are read, and anything else is kept as text
//! with no instant:
//!
//! | form | example | read as |
//! |---|---|---|
//! | Unix seconds (number or numeric string) | `1714557600`, `"1714557600"` | seconds since 1970 UTC |
//! | Unix milliseconds (above 10^12) | `1714557600000` | milliseconds since 1970 UTC |
//! | `YYYY-MM-DD HH:MM:SS` | `"2024-05-01 18:00:00"` | in UTC+8 |
//! | RFC 3339 | `"2024-05-01T10:00:00Z"` | as written |
//!
//! **Assumption:** text without an offset is in UTC+8 (China Standard Time), the zone of
//! UCloud's console and API gateway. UCloud does not document it; if a provider formats in
//! another zone, [`Time::raw`] still holds exactly what it sent.

use std::fmt;
use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

/// Numbers above this are Unix milliseconds rather than seconds (10^12 s is in the year 33658).
const MILLIS_ABOVE: f64 = 1e12;

/// The offset assumed for times written without one.
const UCLOUD_OFFSET: Offset = Offset::constant(8);

/// A time from a UHub response: the text the service sent, and the instant when it is readable.
///
/// The instant is read on first use and kept, so decoding a listing costs no more than its
/// text. Two times are equal when their text is; a `Time` also compares equal to a `&str`
/// holding the same text, so `assert_eq!(tag.update_time, "...")` reads naturally.
#[derive(Clone, Default)]
pub struct Time {
    raw: String,
    instant: OnceLock<Option<Timestamp>>,
}

impl Time {
    /// Takes `text` as a time in any of the forms the module docs list; unreadable text has no
    /// instant.
    pub fn parse(text: impl Into<String>) -> Time {
        Time { raw: text.into(), instant: OnceLock::new() }
    }

    /// The instant, whole seconds, written the way UHub writes times (`YYYY-MM-DD HH:MM:SS`, UTC+8).
    pub fn from_timestamp(instant: Timestamp) -> Time {
        let whole = Timestamp::from_second(instant.as_second()).unwrap_or(instant);
        let raw = UCLOUD_OFFSET.to_datetime(whole).strftime("%Y-%m-%d %H:%M:%S").to_string();
        Time { raw, instant: OnceLock::from(Some(whole)) }
    }

    /// Exactly what the service sent (numbers as their decimal text; empty when absent).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The instant, when the text is in a form this SDK reads.
    pub fn timestamp(&self) -> Option<Timestamp> {
        *self.instant.get_or_init(|| read(&self.raw))
    }

    /// Whether the service sent no time at all.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

fn read(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<i64>() {
        return from_number(n as f64, Some(n));
    }
    if t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
        return t.parse::<f64>().ok().and_then(|f| from_number(f, None));
    }
    if let Some(civil) = ucloud_text(t) {
        return UCLOUD_OFFSET.to_timestamp(civil).ok();
    }
    if let Ok(instant) = t.parse::<Timestamp>() {
        return Some(instant);
    }
    // Temporal's civil syntax takes `YYYY-MM-DD HH:MM:SS` (space or `T`) without an offset.
    let civil = t.parse::<DateTime>().ok()?;
    UCLOUD_OFFSET.to_timestamp(civil).ok()
}

/// `YYYY-MM-DD HH:MM:SS`, read by hand: the form every tag of a listing carries, tens of
/// thousands per listing, where a general date parser costs more than the rest of the tag.
fn ucloud_text(t: &str) -> Option<DateTime> {
    let b = t.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i16> {
        b[from..to].iter().try_fold(0i16, |n, &d| d.is_ascii_digit().then(|| n * 10 + i16::from(d - b'0')))
    };
    let date = jiff::civil::Date::new(num(0, 4)?, num(5, 7)? as i8, num(8, 10)? as i8).ok()?;
    let time = jiff::civil::Time::new(num(11, 13)? as i8, num(14, 16)? as i8, num(17, 19)? as i8, 0).ok()?;
    Some(date.to_datetime(time))
}

/// Seconds, or milliseconds above 10^12; `exact` is the integer form when there is one.
fn from_number(value: f64, exact: Option<i64>) -> Option<Timestamp> {
    if !value.is_finite() {
        return None;
    }
    match exact {
        Some(n) if value.abs() > MILLIS_ABOVE => Timestamp::from_millisecond(n).ok(),
        Some(n) => Timestamp::from_second(n).ok(),
        None => {
            let seconds = if value.abs() > MILLIS_ABOVE { value / 1000.0 } else { value };
            let nanos = seconds * 1e9;
            // i128 nanoseconds hold every instant jiff can represent; beyond that, none.
            if nanos.abs() >= 1.7e38 {
                return None;
            }
            Timestamp::from_nanosecond(nanos as i128).ok()
        }
    }
}

impl PartialEq for Time {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Eq for Time {}

impl std::hash::Hash for Time {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Time").field("raw", &self.raw).field("instant", &self.timestamp()).finish()
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl From<Timestamp> for Time {
    fn from(instant: Timestamp) -> Self {
        Time::from_timestamp(instant)
    }
}

impl From<&str> for Time {
    fn from(text: &str) -> Self {
        Time::parse(text)
    }
}

impl From<String> for Time {
    fn from(text: String) -> Self {
        Time::parse(text)
    }
}

impl PartialEq<str> for Time {
    fn eq(&self, other: &str) -> bool {
        self.raw == other
    }
}

impl PartialEq<&str> for Time {
    fn eq(&self, other: &&str) -> bool {
        self.raw == *other
    }
}

impl PartialEq<String> for Time {
    fn eq(&self, other: &String) -> bool {
        &self.raw == other
    }
}

/// Written back as the text it was read from, the documented string form.
impl serde::Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(t: &Time) -> Option<i64> {
        t.timestamp().map(|i| i.as_second())
    }

    #[test]
    fn unix_seconds_as_text() {
        assert_eq!(secs(&Time::parse("1714557600")), Some(1_714_557_600));
        assert_eq!(secs(&Time::parse(" 7 ")), Some(7));
        assert_eq!(secs(&Time::parse("0")), Some(0));
    }

    #[test]
    fn unix_milliseconds_above_ten_to_the_twelve() {
        assert_eq!(secs(&Time::parse("1714557600000")), Some(1_714_557_600));
        assert_eq!(Time::parse("1714557600123").timestamp().unwrap().subsec_millisecond(), 123);
        // 10^12 itself is still seconds, which lie past the year 9999: no instant, not 2001.
        assert_eq!(secs(&Time::parse("1000000000000")), None);
        assert_eq!(secs(&Time::parse("1000000000001")), Some(1_000_000_000));
    }

    #[test]
    fn fractional_seconds() {
        let t = Time::parse("1714557600.5");
        assert_eq!(secs(&t), Some(1_714_557_600));
        assert_eq!(t.timestamp().unwrap().subsec_millisecond(), 500);
    }

    #[test]
    fn ucloud_text_is_utc_plus_eight() {
        let t = Time::parse("2024-05-01 18:00:00");
        assert_eq!(t.timestamp().unwrap().to_string(), "2024-05-01T10:00:00Z");
        assert_eq!(t.raw(), "2024-05-01 18:00:00");
        assert_eq!(t, "2024-05-01 18:00:00");
    }

    #[test]
    fn rfc3339_keeps_its_offset() {
        assert_eq!(secs(&Time::parse("2024-05-01T10:00:00Z")), Some(1_714_557_600));
        assert_eq!(secs(&Time::parse("2024-05-01T12:00:00+02:00")), Some(1_714_557_600));
    }

    #[test]
    fn unreadable_text_keeps_the_raw_and_no_instant() {
        for text in [
            "yesterday",
            "2024-13-01 00:00:00",
            "2024-02-30 00:00:00",
            "0000-00-00 00:00:00",
            "2024-03-01 08:00:6x",
            "",
            "   ",
            "NaN",
            "inf",
            "1e400",
            "-",
            "99999999999999999999",
        ] {
            let t = Time::parse(text);
            assert_eq!(t.timestamp(), None, "{text:?}");
            assert_eq!(t.raw(), text);
        }
    }

    #[test]
    fn from_timestamp_writes_ucloud_text_and_reads_back() {
        let instant = Timestamp::from_second(1_709_251_200).unwrap();
        let t = Time::from_timestamp(instant);
        assert_eq!(t.raw(), "2024-03-01 08:00:00");
        assert_eq!(Time::parse(t.raw()), t);
    }

    #[test]
    fn serializes_as_its_text() {
        assert_eq!(serde_json::to_string(&Time::parse("5")).unwrap(), "\"5\"");
    }
}
