#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The charge rates file (issue 10 item 1): the issue's example reads exactly, writing and
//! reading back keeps every value, and each kind of bad input is refused with a message that
//! names the rate and the key.

use rust_decimal::Decimal;
use sdesk_core::billing::{GroupRate, Rate, Rates, RATES_FILE};
use sdesk_core::ErrorKind;
use std::str::FromStr;

/// The issue's example, verbatim.
const ISSUE_EXAMPLE: &str = r#"
merge_within_minutes = 10      # 0 = never merge
[default]
name = "Standard"
hourly_rate = "90.00"          # decimal strings; no floating point anywhere in billing
currency = "EUR"
base_fee = "0.00"              # per case
minimum_minutes = 15
increment_minutes = 15         # billable time rounds up to a multiple of this
free_under_seconds = 60        # shorter connections are not billed
[[group]]                      # overrides by groupid or groupname; first match wins
groupid = "g100002"
name = "Premium"
hourly_rate = "120.00"
currency = "EUR"
base_fee = "5.00"
minimum_minutes = 30
increment_minutes = 15
free_under_seconds = 60
"#;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn the_issue_example_reads_exactly() {
    let rates = Rates::from_toml(ISSUE_EXAMPLE).unwrap();
    assert_eq!(rates.merge_within_minutes, 10);
    assert_eq!(
        rates.default,
        Rates::default().default,
        "the [default] of the example is Rates::default()"
    );
    assert_eq!(rates.default.hourly_rate.to_string(), "90.00", "scale kept");
    assert_eq!(
        rates.groups,
        vec![GroupRate {
            groupid: Some("g100002".into()),
            groupname: None,
            rate: Rate {
                name: "Premium".into(),
                hourly_rate: dec("120.00"),
                currency: "EUR".into(),
                base_fee: dec("5.00"),
                minimum_minutes: 30,
                increment_minutes: 15,
                free_under_seconds: 60,
            },
        }]
    );
    assert_eq!(RATES_FILE, "rates.toml");
}

#[test]
fn written_rates_read_back_equal() {
    let mut rates = Rates::from_toml(ISSUE_EXAMPLE).unwrap();
    rates.groups.push(GroupRate {
        groupid: None,
        groupname: Some("Schweiz \"Nord\" \\ Ost".into()),
        rate: Rate {
            name: "Zürich".into(),
            hourly_rate: dec("150.125"),
            currency: "CHF".into(),
            base_fee: dec("0"),
            minimum_minutes: 0,
            increment_minutes: 1,
            free_under_seconds: 0,
        },
    });
    let text = rates.to_toml();
    assert!(
        text.contains("hourly_rate = \"150.125\""),
        "money is written as a decimal string:\n{text}"
    );
    assert_eq!(
        Rates::from_toml(&text).unwrap(),
        rates,
        "to_toml then from_toml keeps every value:\n{text}"
    );
    assert_eq!(
        Rates::from_toml(&Rates::default().to_toml()).unwrap(),
        Rates::default()
    );
}

#[test]
fn missing_keys_take_their_documented_defaults() {
    let rates = Rates::from_toml(
        "[[group]]\ngroupname = \"VIP\"\nname = \"VIP\"\nhourly_rate = \"100\"\ncurrency = \"USD\"\n",
    )
    .unwrap();
    assert_eq!(rates.merge_within_minutes, 10, "merge defaults to 10");
    assert_eq!(
        rates.default,
        Rates::default().default,
        "[default] defaults"
    );
    let vip = &rates.groups[0].rate;
    assert_eq!(
        (
            vip.base_fee,
            vip.minimum_minutes,
            vip.increment_minutes,
            vip.free_under_seconds
        ),
        (Decimal::ZERO, 0, 1, 0),
        "base fee 0, minimum 0, increment 1, nothing free"
    );
    assert_eq!(
        Rates::from_toml("").unwrap(),
        Rates::default(),
        "an empty file is the defaults"
    );
}

/// Each bad file, and the message it must give (the whole message after the field name).
#[test]
fn bad_rates_are_refused_naming_the_rate_and_key() {
    let group = |body: &str| {
        format!("[[group]]\ngroupid = \"g1\"\nname = \"Standard\"\nhourly_rate = \"90.00\"\ncurrency = \"EUR\"\n[[group]]\ngroupid = \"g2\"\nname = \"Premium\"\n{body}")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "a float for money",
            group("hourly_rate = 90.00\ncurrency = \"EUR\""),
            "group 2 (Premium): hourly_rate must be a decimal string like \"90.00\"",
        ),
        (
            "an integer for money",
            group("hourly_rate = 90\ncurrency = \"EUR\""),
            "group 2 (Premium): hourly_rate must be a decimal string like \"90.00\"",
        ),
        (
            "an exponent",
            group("hourly_rate = \"9e1\"\ncurrency = \"EUR\""),
            "group 2 (Premium): hourly_rate must be a decimal string like \"90.00\"",
        ),
        (
            "negative money",
            group("hourly_rate = \"90.00\"\nbase_fee = \"-5.00\"\ncurrency = \"EUR\""),
            "group 2 (Premium): base_fee must not be negative",
        ),
        (
            "increment 0",
            "[default]\nname = \"Standard\"\nhourly_rate = \"90.00\"\ncurrency = \"EUR\"\nincrement_minutes = 0\n".into(),
            "default: increment_minutes must be at least 1",
        ),
        (
            "a lower-case currency",
            group("hourly_rate = \"90.00\"\ncurrency = \"eur\""),
            "group 2 (Premium): currency must be three upper-case letters like \"EUR\", not \"eur\"",
        ),
        (
            "a currency symbol",
            group("hourly_rate = \"90.00\"\ncurrency = \"€\""),
            "group 2 (Premium): currency must be three upper-case letters like \"EUR\", not \"€\"",
        ),
        (
            "an unknown key in a group",
            group("hourly_rate = \"90.00\"\ncurrency = \"EUR\"\nhourly = \"1\""),
            "group 2 (Premium): unknown key \"hourly\" (allowed: groupid, groupname, name, hourly_rate, currency, base_fee, minimum_minutes, increment_minutes, free_under_seconds)",
        ),
        (
            "groupid in [default]",
            "[default]\ngroupid = \"g\"\nname = \"S\"\nhourly_rate = \"1\"\ncurrency = \"EUR\"\n".into(),
            "default: unknown key \"groupid\" (allowed: name, hourly_rate, currency, base_fee, minimum_minutes, increment_minutes, free_under_seconds)",
        ),
        (
            "an unknown top-level key",
            "merge_within = 5\n".into(),
            "unknown key \"merge_within\" (allowed: merge_within_minutes, [default], [[group]])",
        ),
        (
            "a group that matches nothing",
            "[[group]]\nname = \"Premium\"\nhourly_rate = \"1\"\ncurrency = \"EUR\"\n".into(),
            "group 1 (Premium): needs a groupid or a groupname to match connections",
        ),
        (
            "a group with a blank groupname",
            "[[group]]\ngroupname = \" \"\nname = \"Premium\"\nhourly_rate = \"1\"\ncurrency = \"EUR\"\n".into(),
            "group 1 (Premium): needs a groupid or a groupname to match connections",
        ),
        (
            "a missing hourly rate",
            group("currency = \"EUR\""),
            "group 2 (Premium): hourly_rate is missing",
        ),
        (
            "a negative number of minutes",
            "merge_within_minutes = -1\n".into(),
            "merge_within_minutes must be a whole number from 0 to 4294967295, not -1",
        ),
        (
            "minutes as a float",
            group("hourly_rate = \"1\"\ncurrency = \"EUR\"\nminimum_minutes = 2.5"),
            "group 2 (Premium): minimum_minutes must be a whole number like 15, not the number 2.5",
        ),
        (
            "an empty name",
            "[default]\nname = \"\"\nhourly_rate = \"1\"\ncurrency = \"EUR\"\n".into(),
            "default: name must not be empty",
        ),
        (
            "absurd money",
            group("hourly_rate = \"1000000000.01\"\ncurrency = \"EUR\""),
            "group 2 (Premium): hourly_rate must be at most 1000000000",
        ),
    ];
    for (label, text, message) in cases {
        let err = Rates::from_toml(&text).expect_err(label);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{label}");
        assert_eq!(
            err.to_string(),
            format!("charge rates: {message}"),
            "{label}:\n{text}"
        );
    }
}

#[test]
fn a_toml_syntax_error_names_the_line() {
    let err = Rates::from_toml("merge_within_minutes = 10\n[default\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().starts_with("charge rates: line 2: "),
        "the line of the mistake is named: {err}"
    );
}

#[test]
fn group_match_by_id_or_name_first_match_wins() {
    let rates = Rates::from_toml(
        r#"
[[group]]
groupid = "g1"
name = "One"
hourly_rate = "1"
currency = "EUR"
[[group]]
groupname = "Straße Süd"
name = "Two"
hourly_rate = "2"
currency = "EUR"
[[group]]
groupid = "g3"
groupname = "one"
name = "Three"
hourly_rate = "3"
currency = "EUR"
"#,
    )
    .unwrap();
    let name = |id: Option<&str>, group: Option<&str>| rates.rate_for(id, group).name.clone();
    assert_eq!(name(Some("g1"), None), "One", "by id");
    assert_eq!(
        name(None, Some("STRASSE SÜD")),
        "Standard",
        "case-insensitive is per character, not ß → SS folding"
    );
    assert_eq!(
        name(None, Some("STRAßE SÜD")),
        "Two",
        "by name, ignoring Unicode case"
    );
    assert_eq!(
        name(Some("g3"), Some("x")),
        "Three",
        "by id of a later group"
    );
    assert_eq!(
        name(Some("g1"), Some("Straße Süd")),
        "One",
        "both match: the first group wins"
    );
    assert_eq!(
        name(Some("G1"), None),
        "Standard",
        "group ids are compared exactly"
    );
    assert_eq!(name(None, None), "Standard", "no group: the default");
}

#[test]
fn save_is_atomic_and_load_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(RATES_FILE);
    assert_eq!(Rates::load(&path).unwrap(), None, "no file: None");
    let rates = Rates::from_toml(ISSUE_EXAMPLE).unwrap();
    rates.save(&path).unwrap();
    assert_eq!(Rates::load(&path).unwrap(), Some(rates.clone()));

    // Invalid rates are not saved: the file keeps the last good ones.
    let mut bad = rates.clone();
    bad.default.currency = "euro".into();
    let err = bad.save(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        Rates::load(&path).unwrap(),
        Some(rates),
        "a refused save loses nothing"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![RATES_FILE], "no temporary files left");

    // A bad file: the error names the file and the problem.
    std::fs::write(&path, "merge_within_minutes = \"ten\"\n").unwrap();
    let err = Rates::load(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: merge_within_minutes must be a whole number like 15, not the string \"ten\"",
            path.display()
        )
    );
    std::fs::write(&path, [0xff, 0xfe]).unwrap();
    assert!(Rates::load(&path)
        .unwrap_err()
        .to_string()
        .contains("not UTF-8"));
}
