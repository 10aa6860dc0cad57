//! How the text a user types into the log view's filters is read: search words and duration
//! comparisons. Pure functions; [`super::store`] compiles them into its matcher.

/// The words of a search text, lowercased: whitespace separates words, a double-quoted part is
/// one word (`"Müller Anna"` keeps its space). Every word must occur somewhere (each anywhere)
/// for a record to match. Empty when the text is blank.
pub fn search_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                // An unclosed quote (still being typed): the rest is the phrase.
                None => (quoted, ""),
            },
            None => rest
                .find(char::is_whitespace)
                .map_or((rest, ""), |end| (&rest[..end], &rest[end..])),
        };
        let word = word.trim();
        if !word.is_empty() {
            let lower = word.to_lowercase();
            if !words.contains(&lower) {
                words.push(lower);
            }
        }
        rest = after.trim_start();
    }
    words
}

/// A comparison on a connection's duration in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationTest {
    /// Longer than.
    Above(i64),
    /// At least.
    AtLeast(i64),
    /// Shorter than.
    Below(i64),
    /// At most.
    AtMost(i64),
    /// Exactly (to the second).
    Equal(i64),
    /// Between, both ends included (`10m-1h`).
    Between(i64, i64),
}

impl DurationTest {
    /// Whether a connection of `seconds` passes.
    pub fn matches(self, seconds: i64) -> bool {
        match self {
            Self::Above(x) => seconds > x,
            Self::AtLeast(x) => seconds >= x,
            Self::Below(x) => seconds < x,
            Self::AtMost(x) => seconds <= x,
            Self::Equal(x) => seconds == x,
            Self::Between(a, b) => (a..=b).contains(&seconds),
        }
    }
}

/// Builds a [`DurationTest`] from an amount.
type MakeTest = fn(i64) -> DurationTest;

/// Reads a duration filter: an optional comparison (`>`, `>=`, `<`, `<=`, `=`, also `≥`, `≤`)
/// followed by an amount, or a range `A-B` (both included). An amount is seconds (`3600`), a
/// number with units (`90s`, `10m`, `1h`, `1.5h`, `1h30m`, `2d`) or a clock (`1:30:00`,
/// `45:00`). Without a comparison the duration must be equal. `None` when it can't be read; a
/// blank text is not a filter and is not passed here.
pub fn parse_duration_test(text: &str) -> Option<DurationTest> {
    let t = text.trim();
    let ops: [(&str, MakeTest); 7] = [
        (">=", DurationTest::AtLeast),
        ("<=", DurationTest::AtMost),
        ("≥", DurationTest::AtLeast),
        ("≤", DurationTest::AtMost),
        (">", DurationTest::Above),
        ("<", DurationTest::Below),
        ("=", DurationTest::Equal),
    ];
    for (op, make) in ops {
        if let Some(amount) = t.strip_prefix(op) {
            return parse_amount(amount).map(make);
        }
    }
    if let Some((a, b)) = t.split_once('-') {
        let (a, b) = (parse_amount(a)?, parse_amount(b)?);
        return (a <= b).then_some(DurationTest::Between(a, b));
    }
    parse_amount(t).map(DurationTest::Equal)
}

/// Seconds of an amount (see [`parse_duration_test`]).
fn parse_amount(text: &str) -> Option<i64> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    if t.contains(':') {
        let mut seconds: i64 = 0;
        let parts: Vec<&str> = t.split(':').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        for p in parts {
            let n: i64 = p.parse().ok()?;
            seconds = seconds.checked_mul(60)?.checked_add(n)?;
        }
        return Some(seconds);
    }
    if let Ok(n) = t.parse::<i64>() {
        return (n >= 0).then_some(n);
    }
    // Number-unit pairs: 1h30m, 1.5h, 90 s.
    let mut total = 0.0_f64;
    let mut number = String::new();
    let mut any = false;
    for c in t.chars().filter(|c| !c.is_whitespace()) {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            number.push(if c == ',' { '.' } else { c });
            continue;
        }
        let unit = match c {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86_400.0,
            _ => return None,
        };
        let n: f64 = number.parse().ok()?;
        number.clear();
        total += n * unit;
        any = true;
    }
    if !number.is_empty() || !any || !total.is_finite() || total > 1e15 {
        return None;
    }
    // Whole seconds; the amounts people type (1.5h, 0.5m) are whole anyway.
    #[allow(clippy::cast_possible_truncation)]
    Some(total.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_its_own_term_and_quotes_keep_a_phrase() {
        assert_eq!(
            search_words("  Müller   Anna "),
            ["müller", "anna"],
            "words split on whitespace, lowercased"
        );
        assert_eq!(
            search_words("\"Müller Anna\" vpn"),
            ["müller anna", "vpn"],
            "a quoted phrase is one word"
        );
        assert_eq!(
            search_words("\"open quote"),
            ["open quote"],
            "an unclosed quote while typing"
        );
        assert_eq!(search_words("a A a"), ["a"], "a repeated word counts once");
        assert!(search_words(" \t ").is_empty(), "blank is no search");
    }

    #[test]
    fn durations_read_comparisons_units_clocks_and_ranges() {
        use DurationTest::*;
        let cases = [
            (">1h", Some(Above(3600))),
            ("<10m", Some(Below(600))),
            (">=3600", Some(AtLeast(3600))),
            ("<= 90s", Some(AtMost(90))),
            ("≥ 1h30m", Some(AtLeast(5400))),
            ("1.5h", Some(Equal(5400))),
            ("1,5h", Some(Equal(5400))),
            ("=0:45:00", Some(Equal(2700))),
            ("45:00", Some(Equal(2700))),
            ("10m-1h", Some(Between(600, 3600))),
            ("2d", Some(Equal(172_800))),
            (">", None),
            (">1x", None),
            ("abc", None),
            ("1h-10m", None),
            ("1::2", None),
            ("-5", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration_test(text), want, "{text:?}");
        }
    }

    #[test]
    fn duration_tests_compare_as_named() {
        assert!(
            DurationTest::Above(3600).matches(3601) && !DurationTest::Above(3600).matches(3600)
        );
        assert!(DurationTest::AtLeast(3600).matches(3600));
        assert!(DurationTest::Below(600).matches(599) && !DurationTest::Below(600).matches(600));
        assert!(
            DurationTest::Between(600, 3600).matches(600)
                && DurationTest::Between(600, 3600).matches(3600)
        );
        assert!(!DurationTest::Between(600, 3600).matches(3601));
    }
}
