//! Deterministic test data: the account, users, groups, connection reports and pre-existing
//! sessions of a sandbox run, all derived from one seed.
//!
//! Each kind of data draws from its own ChaCha8 stream of the seed, so changing the number of
//! reports doesn't change the users or groups, and the same `(seed, count, now)` always gives
//! identical reports. Free text is deliberately hostile to naive exporters: commas, quotes,
//! embedded LF and CRLF, umlauts/ß/emoji and formula-looking text (`=`, `+`, `-`, `@`, TAB).

use crate::desk::SessionRecord;
use crate::reports::BILLING_STATES;
use crate::wire::{
    DeviceId, EndCustomer, Feedback, GroupOwner, SupportSessionType, WireAccount, WireGroup,
    WireLicense, WireReport, WireUser,
};
use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::distributions::Alphanumeric;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// Reports end within this many days before "now" by default ([`SandboxConfig::report_days`]).
///
/// [`SandboxConfig::report_days`]: crate::SandboxConfig::report_days
pub const REPORT_WINDOW_DAYS: i64 = 90;

/// Independent random streams of one seed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Directory = 1,
    Reports = 2,
    Sessions = 3,
    Issued = 4,
    ScriptToken = 5,
    NewSessions = 6,
    CustomerArrivals = 7,
}

/// A ChaCha8 generator for one stream of `seed`.
pub(crate) fn rng_for(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// Supporters of the simulated company; the first one owns the account.
const USERS: [(&str, &str); 10] = [
    ("Sam Supporter", "sam.supporter@example.com"),
    ("Jürgen Groß", "juergen.gross@example.com"),
    ("Müller, Anna", "anna.mueller@example.com"),
    ("Zoë \"Zed\" Ødegård 🚀", "zoe@example.com"),
    ("+49 Hotline", "hotline@example.com"),
    ("@helpdesk", "helpdesk@example.com"),
    ("-Nachtschicht-", "night@example.com"),
    ("\tTabea Tab", "tabea@example.com"),
    ("Multi\r\nLine Larry", "larry@example.com"),
    (
        "=HYPERLINK(\"http://example.invalid\",\"x\")",
        "formula@example.com",
    ),
];

/// Groups; the last one is owned by a colleague and shared with the account.
const GROUPS: [&str; 6] = [
    "Kunden Müller, Berlin",
    "Support – Tier 1",
    "\"VIP\" Kunden",
    "Straßenbau Süd 🚧",
    "=Server+Infrastruktur",
    "Buchhaltung\nBüro",
];

/// Device name templates; `#` is replaced by a number.
const DEVICE_NAMES: [&str; 14] = [
    "DESKTOP-#",
    "Büro-PC # (Ärztekammer)",
    "Kasse #, Filiale Köln",
    "\"Quoted\" Laptop #",
    "=1+#",
    "+SUM(A#:A9)",
    "-#+3",
    "@SUM(#)",
    "\tTAB-PC-#",
    "Line #\nsecond line",
    "CRLF-Host-#\r\nsecond",
    "Straße-🖥️-#",
    "MacBook von Jürgen #",
    "srv-db-#",
];

const END_CUSTOMERS: [(&str, &str); 8] = [
    ("Erika Mustermann", "erika@example.org"),
    ("Müller, Hans-Jürgen", "hj.mueller@example.org"),
    ("\"The Boss\" Smith", "boss@example.org"),
    ("=2+5", "formula@example.org"),
    ("Ola\nNordmann", "ola@example.org"),
    ("José Ñúñez 🙂", "jose@example.org"),
    ("+1 (555) 0100", "phone@example.org"),
    ("Weiß\r\nGmbH", "weiss@example.org"),
];

const DESCRIPTIONS: [&str; 8] = [
    "Drucker druckt nicht",
    "VPN, again: \"connection refused\"",
    "Outlook crash\nafter update",
    "=IMPORTXML(\"http://example.invalid\",\"//a\")",
    "Kasse 3 hängt 🧾",
    "-Passwort zurücksetzen",
    "@Lisa bitte übernehmen",
    "\tWindows-Update, Neustart\r\nnötig",
];

const NOTES: [&str; 9] = [
    "Printer fixed, customer happy",
    "Called back, \"no answer\"",
    "Line one\nLine two",
    "CRLF line\r\nsecond",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+1 follow-up",
    "-minus start",
    "@mention the team",
    "\tindented; Umlaute äöü ÄÖÜ ß, emoji 😀",
];

const CUSTOM_API: [&str; 3] = [
    "{\"ticket\":\"T-1042\"}",
    "crm:case=77,prio=high",
    "=cmd|' /C calc'!A0",
];

const FEEDBACK_COMMENTS: [&str; 4] = [
    "Super, danke!",
    "Slow, but \"fixed\"",
    "+++ great +++",
    "Line 1\nLine 2",
];

const WAITING_MESSAGES: [&str; 3] = [
    "Bitte warten, gleich geht's los …",
    "Your supporter will join shortly.",
    "=Please wait",
];

/// The static part of the simulated company: account, users and groups.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Directory {
    pub(crate) account: WireAccount,
    pub(crate) users: Vec<WireUser>,
    pub(crate) groups: Vec<WireGroup>,
}

impl Directory {
    /// The directory of `seed`.
    pub(crate) fn generate(seed: u64) -> Self {
        let mut rng = rng_for(seed, Stream::Directory);
        let users: Vec<WireUser> = USERS
            .iter()
            .map(|(name, email)| WireUser {
                id: user_id(&mut rng),
                name: (*name).to_owned(),
                email: (*email).to_owned(),
            })
            .collect();
        let me = owner_of(&users[0]);
        let colleague = owner_of(&users[1]);
        let groups = GROUPS
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let shared = index == GROUPS.len() - 1;
                WireGroup {
                    id: group_id(&mut rng),
                    name: (*name).to_owned(),
                    permissions: if shared { "read" } else { "all" }.to_owned(),
                    owner: if shared {
                        colleague.clone()
                    } else {
                        me.clone()
                    },
                    shared_with: if shared { vec![me.clone()] } else { Vec::new() },
                }
            })
            .collect();
        let account = WireAccount {
            userid: users[0].id.clone(),
            name: users[0].name.clone(),
            email: users[0].email.clone(),
            company_name: "Sandbox Support GmbH & Co. KG".to_owned(),
            email_validated: true,
            email_language: "en".to_owned(),
            license: WireLicense {
                license_type: 3,
                version: "15".to_owned(),
                kind: "Corporate".to_owned(),
                details: "Simulated licence of the Supporter Desk sandbox".to_owned(),
                team_viewer_license_id: uuid(&mut rng),
                isactive: true,
            },
        };
        Self {
            account,
            users,
            groups,
        }
    }
}

fn owner_of(user: &WireUser) -> GroupOwner {
    GroupOwner {
        userid: user.id.clone(),
        name: user.name.clone(),
    }
}

/// A remote device that reports refer to.
struct Device {
    id: DeviceId,
    name: String,
    group: Option<(String, String)>,
}

fn generate_devices(rng: &mut ChaCha8Rng, groups: &[WireGroup], count: usize) -> Vec<Device> {
    (0..count)
        .map(|index| {
            let template = DEVICE_NAMES[index % DEVICE_NAMES.len()];
            let number: u64 = rng.gen_range(100_000_000..2_000_000_000);
            let id = match rng.gen_range(0..10) {
                0..=5 => DeviceId::Number(number),
                6..=8 => DeviceId::Text(number.to_string()),
                _ => DeviceId::Text(format!("d{number}")),
            };
            let group = groups
                .choose(rng)
                .filter(|_| rng.gen_ratio(4, 5))
                .map(|group| (group.id.clone(), group.name.clone()));
            Device {
                id,
                name: template.replace('#', &(index + 1).to_string()),
                group,
            }
        })
        .collect()
}

/// Generates `count` connection reports as the sandbox serves them: sorted in served order
/// (end date descending, then id ascending, see [`WireReport::served_order`]).
///
/// Pure and deterministic: the same `(seed, count, now)` gives identical records (`now` is
/// truncated to whole seconds). End dates lie within the 90 days before `now`
/// ([`REPORT_WINDOW_DAYS`]; [`generate_reports_over`] takes another span); the first few
/// generated records (at least 3, or 1 in 200) end today (UTC). About one record in six carries
/// milliseconds, a few share an end date with another record, `deviceid` is a number or a
/// string, and optional fields are sometimes absent and sometimes `null`.
pub fn generate_reports(seed: u64, count: usize, now: DateTime<Utc>) -> Vec<WireReport> {
    generate_reports_over(seed, count, now, REPORT_WINDOW_DAYS)
}

/// [`generate_reports`] with the records spread over the `days` (at least 1) before `now`
/// instead of 90: the archive's density, from a young office's few weeks to years of history.
/// The records ending today scale with it (the same share of a day as in 90 days: 1 in 200
/// there, 1 in 4,000 over 1,800 days; at least 3), so a day holds about as many records as any
/// other. `days` = 90 gives exactly [`generate_reports`].
pub fn generate_reports_over(
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    days: i64,
) -> Vec<WireReport> {
    let days = days.max(1);
    let now = whole_seconds(now);
    let directory = Directory::generate(seed);
    let mut rng = rng_for(seed, Stream::Reports);
    let devices = generate_devices(&mut rng, &directory.groups, (count / 25).clamp(8, 400));
    let today_seconds = (now - start_of_day(now)).num_seconds().max(1);
    // 1 in 200 over the default 90 days; the same per-day share over other spans.
    let per_window = usize::try_from(days)
        .unwrap_or(usize::MAX)
        .saturating_mul(200);
    let today_count = count.min((count.saturating_mul(90) / per_window).max(3));
    let mut records: Vec<WireReport> = Vec::with_capacity(count);
    for index in 0..count {
        let window = if index < today_count {
            today_seconds
        } else {
            days * 86_400
        };
        let end = match records.last() {
            // Every 97th record ends exactly when the one before it did: ties in the sort key.
            Some(previous) if index % 97 == 96 => previous.end_date,
            _ => end_date(&mut rng, now, window),
        };
        let user = pick(&mut rng, &directory.users);
        let device = pick(&mut rng, &devices);
        records.push(report(&mut rng, user, device, end));
    }
    records.sort_by(WireReport::served_order);
    records
}

/// An end date `0..window` seconds before `now`, sometimes with milliseconds (never after `now`).
///
/// It draws the same random values whatever `window` is (`gen_range` rejects a number of
/// samples that depends on the range, and "today" grows through the day), so the reports of a
/// seed keep their ids and fields when the sandbox starts again later: like the real API's,
/// only their times move with "now".
fn end_date(rng: &mut ChaCha8Rng, now: DateTime<Utc>, window: i64) -> DateTime<Utc> {
    let window = u64::try_from(window.max(1)).unwrap_or(1);
    // The modulo bias of a 64-bit draw over a window of at most years of seconds is negligible.
    let offset = i64::try_from(rng.gen::<u64>() % window).unwrap_or(0);
    let with_millis = rng.gen_ratio(1, 6);
    let millis = rng.gen_range(1..1000);
    let end = now - Duration::seconds(offset);
    if offset > 0 && with_millis {
        end + Duration::milliseconds(millis)
    } else {
        end
    }
}

fn report(
    rng: &mut ChaCha8Rng,
    user: &WireUser,
    device: &Device,
    end: DateTime<Utc>,
) -> WireReport {
    let minutes = if rng.gen_bool(0.7) {
        rng.gen_range(1..30)
    } else {
        rng.gen_range(30..180)
    };
    let start = end - Duration::minutes(minutes) - Duration::seconds(rng.gen_range(0..60));
    let kind = match rng.gen_range(0..10) {
        0..=5 => SupportSessionType::RemoteSupportActive,
        6..=8 => SupportSessionType::RemoteConnection,
        _ => SupportSessionType::RemoteSupportActiveSdk,
    };
    let billed = rng.gen_ratio(1, 4);
    let mut record = WireReport {
        id: uuid(rng),
        userid: user.id.clone(),
        username: user.name.clone(),
        deviceid: device.id.clone(),
        devicename: device.name.clone(),
        groupid: device.group.as_ref().map(|(id, _)| id.clone()),
        groupname: device.group.as_ref().map(|(_, name)| name.clone()),
        support_session_type: kind,
        start_date: start,
        end_date: end,
        fee: billed.then(|| f64::from(rng.gen_range(5_u32..200)) * 0.5),
        currency: billed.then(|| "EUR".to_owned()),
        billing_state: maybe(rng, 3, &BILLING_STATES),
        notes: maybe(rng, 4, &NOTES),
        contact_id: rng
            .gen_ratio(1, 5)
            .then(|| format!("c{}", rng.gen_range(10_000_000..100_000_000))),
        session_code: None,
        session_created_at: None,
        valid_until: None,
        assigned_userid: None,
        assigned_at: None,
        session_note: None,
        custom_api: None,
        end_customer: None,
        feedback: None,
    };
    if kind != SupportSessionType::RemoteConnection {
        attach_session_code(rng, &mut record);
    }
    record
}

/// Fills the session-code fields of a report that came from a session code.
fn attach_session_code(rng: &mut ChaCha8Rng, record: &mut WireReport) {
    let created = whole_seconds(record.start_date) - Duration::minutes(rng.gen_range(1..30));
    record.session_code = Some(session_code(rng));
    record.session_created_at = Some(created);
    record.valid_until = Some(created + Duration::hours(24));
    record.assigned_userid = Some(record.userid.clone());
    record.assigned_at = Some(created);
    record.session_note = maybe(rng, 2, &DESCRIPTIONS);
    record.custom_api = maybe(rng, 5, &CUSTOM_API);
    record.end_customer = rng.gen_bool(0.8).then(|| end_customer(rng));
    record.feedback = rng.gen_ratio(1, 3).then(|| Feedback {
        session_rating: rng.gen_range(1..=5),
        user_comment: maybe(rng, 2, &FEEDBACK_COMMENTS),
    });
}

/// The pre-existing sessions of a run, newest first: about a third closed, some open ones
/// online, some open ones already past `valid_until` (the API keeps them "Open"), about one in
/// six assigned to nobody (`u0`). `valid_until` is always 24 h after `created_at`.
pub(crate) fn generate_sessions(
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    directory: &Directory,
) -> Vec<SessionRecord> {
    let now = whole_seconds(now);
    let mut rng = rng_for(seed, Stream::Sessions);
    let mut sessions: Vec<SessionRecord> = (0..count)
        .map(|_| {
            let created = now - Duration::minutes(rng.gen_range(5..3 * 24 * 60));
            let closed = rng.gen_ratio(1, 3);
            let closed_at = closed.then(|| {
                let open_minutes = (now - created).num_minutes().clamp(1, 24 * 60);
                created + Duration::minutes(rng.gen_range(1..=open_minutes))
            });
            // One in six is assigned to nobody (`u0`).
            let assignee = pick(&mut rng, &directory.users[..3]);
            let assigned = !rng.gen_ratio(1, 6);
            SessionRecord {
                code: session_code(&mut rng),
                service_queue_token: alphanumeric(&mut rng, 12),
                groupid: pick(&mut rng, &directory.groups).id.clone(),
                description: maybe(&mut rng, 1, &DESCRIPTIONS),
                end_customer: Some(end_customer(&mut rng)),
                waiting_message: maybe(&mut rng, 2, &WAITING_MESSAGES),
                custom_api: maybe(&mut rng, 3, &CUSTOM_API),
                assigned_userid: assigned.then(|| assignee.id.clone()),
                assigned_at: assigned.then_some(created),
                created_at: created,
                valid_until: created + Duration::hours(24),
                closed_at,
                online: !closed && rng.gen_ratio(1, 3),
            }
        })
        .collect();
    sessions.sort_by(SessionRecord::served_order);
    sessions
}

fn end_customer(rng: &mut ChaCha8Rng) -> EndCustomer {
    let (name, email) = *pick(rng, &END_CUSTOMERS);
    EndCustomer {
        name: Some(name.to_owned()),
        email: Some(email.to_owned()),
    }
}

/// One element of a non-empty slice.
fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// One of `items` with probability `1 / one_in`, else `None`.
fn maybe(rng: &mut ChaCha8Rng, one_in: u32, items: &[&str]) -> Option<String> {
    rng.gen_ratio(1, one_in)
        .then(|| (*pick(rng, items)).to_owned())
}

/// `t` without its sub-second part.
pub(crate) fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::seconds(1)).unwrap_or(t)
}

fn start_of_day(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::days(1)).unwrap_or(t)
}

/// `n` random ASCII letters and digits.
pub(crate) fn alphanumeric(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(rng.sample(Alphanumeric)))
        .collect()
}

/// `n` random decimal digits, the first not zero.
pub(crate) fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|position| {
            let low = u32::from(position == 0);
            char::from_digit(rng.gen_range(low..10), 10).unwrap_or('1')
        })
        .collect()
}

/// A session code, `s` + 9 digits shown as `s123-456-789`.
pub(crate) fn session_code(rng: &mut ChaCha8Rng) -> String {
    let n: u32 = rng.gen_range(100_000_000..1_000_000_000);
    format!(
        "s{}-{:03}-{:03}",
        n / 1_000_000,
        n / 1_000 % 1_000,
        n % 1_000
    )
}

/// A group id, `g` + 9 digits.
pub(crate) fn group_id(rng: &mut ChaCha8Rng) -> String {
    format!("g{}", digits(rng, 9))
}

fn user_id(rng: &mut ChaCha8Rng) -> String {
    format!("u{}", digits(rng, 8))
}

/// A UUID (v4 layout) from the generator.
pub(crate) fn uuid(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

/// The script token of `seed`, shaped like `1234-SWDwf23vawef4122345asfg`.
pub(crate) fn script_token(seed: u64) -> String {
    let mut rng = rng_for(seed, Stream::ScriptToken);
    format!("{}-{}", digits(&mut rng, 4), alphanumeric(&mut rng, 23))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashSet;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 17, 13, 45, 10).unwrap()
    }

    #[test]
    fn same_inputs_give_identical_reports() {
        assert_eq!(
            generate_reports(7, 3_000, now()),
            generate_reports(7, 3_000, now()),
            "generation must be a pure function of seed, count and now"
        );
        assert_ne!(
            generate_reports(7, 100, now()),
            generate_reports(8, 100, now()),
            "a different seed must give different data"
        );
    }

    #[test]
    fn a_later_start_keeps_every_report_and_moves_only_its_times() {
        // 01:02 and 18:49: "today" is a very different window (the first few reports end today).
        let early = Utc.with_ymd_and_hms(2026, 12, 5, 1, 2, 3).unwrap();
        let late = Utc.with_ymd_and_hms(2026, 12, 5, 18, 49, 27).unwrap();
        let key = |records: Vec<WireReport>| {
            let mut k: Vec<_> = records
                .into_iter()
                .map(|r| (r.id, r.userid, format!("{:?}", r.deviceid), r.notes))
                .collect();
            k.sort();
            k
        };
        assert_eq!(
            key(generate_reports(42, 3_000, early)),
            key(generate_reports(42, 3_000, late)),
            "a restart of the sandbox must not invent new reports (an archive would keep both)"
        );
    }

    #[test]
    fn a_longer_span_spreads_the_same_count_thinner() {
        assert_eq!(
            generate_reports_over(7, 2_000, now(), REPORT_WINDOW_DAYS),
            generate_reports(7, 2_000, now()),
            "90 days is the default span"
        );
        let records = generate_reports_over(42, 20_000, now(), 1_000);
        let oldest = now() - Duration::days(1_000);
        assert!(
            records
                .iter()
                .all(|r| r.end_date <= now() && r.end_date >= oldest),
            "every record ends within the 1,000 days before now"
        );
        let in_last_two_days = |records: &[WireReport]| {
            records
                .iter()
                .filter(|r| r.end_date >= now() - Duration::days(2))
                .count()
        };
        // 20,000 over 1,000 days is 20 a day: about 40 in two days (the day so far included).
        let thin = in_last_two_days(&records);
        assert!(
            (15..=80).contains(&thin),
            "two days of a 1,000-day span hold about 40 of 20,000 records, got {thin}"
        );
        let dense = in_last_two_days(&generate_reports(42, 20_000, now()));
        assert!(
            dense > 10 * thin,
            "the same count over 90 days is more than ten times denser ({dense} vs {thin})"
        );
        assert!(
            records
                .windows(2)
                .all(|p| WireReport::served_order(&p[0], &p[1]).is_lt()),
            "served order holds for any span"
        );
    }

    #[test]
    fn reports_are_sorted_unique_and_inside_the_window() {
        let records = generate_reports(42, 5_000, now());
        assert_eq!(records.len(), 5_000, "count is honoured");
        assert!(
            records
                .windows(2)
                .all(|pair| WireReport::served_order(&pair[0], &pair[1]).is_lt()),
            "records are strictly in served order (end desc, id asc)"
        );
        let ids: HashSet<_> = records.iter().map(|record| record.id).collect();
        assert_eq!(ids.len(), records.len(), "ids are unique");
        let oldest = now() - Duration::days(REPORT_WINDOW_DAYS);
        assert!(
            records
                .iter()
                .all(|r| r.end_date <= now() && r.end_date >= oldest && r.start_date < r.end_date),
            "every record ends within the 90 days before now and starts before it ends"
        );
        let today = records
            .iter()
            .filter(|r| r.end_date >= start_of_day(now()))
            .count();
        assert!(today >= 3, "a few records end today, got {today}");
        assert!(
            records
                .windows(2)
                .any(|pair| pair[0].end_date == pair[1].end_date),
            "some records share an end date, so the id tie-break matters"
        );
        assert!(
            records
                .iter()
                .any(|r| r.end_date.timestamp_subsec_millis() != 0),
            "some records carry milliseconds"
        );
    }

    #[test]
    fn reports_mix_wire_forms() {
        let records = generate_reports(42, 2_000, now());
        let has = |test: &dyn Fn(&WireReport) -> bool| records.iter().any(test);
        assert!(
            has(&|r| matches!(r.deviceid, DeviceId::Number(_))),
            "some deviceids are numbers"
        );
        assert!(
            has(&|r| matches!(r.deviceid, DeviceId::Text(_))),
            "some deviceids are strings"
        );
        assert!(
            has(&|r| r.groupid.is_none()),
            "some devices are in no group"
        );
        assert!(
            has(&|r| r.session_code.is_none()) && has(&|r| r.session_code.is_some()),
            "reports with and without a session code exist"
        );
        assert!(
            has(&|r| r.notes.as_deref().is_some_and(|n| n.contains("\r\n"))),
            "some notes contain CRLF"
        );
        for prefix in ['=', '+', '-', '@', '\t'] {
            assert!(
                has(&|r| r.devicename.starts_with(prefix)),
                "some device name starts with {prefix:?}"
            );
        }
    }

    #[test]
    fn ids_have_the_documented_shapes() {
        let mut rng = rng_for(1, Stream::Issued);
        let code = session_code(&mut rng);
        assert!(
            code.len() == 12 && code.starts_with('s') && code.matches('-').count() == 2,
            "session code {code} looks like s123-456-789"
        );
        let token = script_token(42);
        let (number, rest) = token.split_once('-').unwrap();
        assert!(
            number.len() == 4 && rest.len() == 23,
            "script token {token} looks like 1234-SWDwf23vawef4122345asfg"
        );
        assert_eq!(token, script_token(42), "the script token is deterministic");
    }
}
