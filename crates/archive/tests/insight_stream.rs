#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `Archive::insight` (the insight aggregated as the billing rows stream in, issue 10 item 8)
//! equals `billing::insight` of `Archive::billing_records` on random archives: ties on start
//! (the latest name is decided by id), blank and missing ids and names, upper-case and Unicode
//! e-mails, running connections and ends before starts, periods cutting through the data. On
//! SQLite always; on PostgreSQL when SDESK_TEST_POSTGRES_URL names a server
//! (scripts/with-postgres.sh).

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::pg::{fresh_db, server_url};
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::billing::insight;
use serde_json::{json, Map, Value};
use tempfile::TempDir;

/// xorshift: reproducible random data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
}

/// `n` random records; few distinct starts so that many tie.
fn random_records(seed: u64, n: usize) -> Vec<Value> {
    let mut rng = Rng(seed);
    let ids = [
        None,
        Some(""),
        Some("  "),
        Some("u1"),
        Some("u2"),
        Some("u3"),
    ];
    let names = [
        None,
        Some(""),
        Some(" "),
        Some("Anna"),
        Some("Jörg Müller"),
        Some("Ben"),
    ];
    let emails = [
        None,
        Some(""),
        Some("   "),
        Some("a@example.com"),
        Some("A@Example.com"),
        Some(" a@example.com "),
        Some("ÄRGER@Müller.de"),
    ];
    let devices = [
        None,
        Some(""),
        Some("PC-1"),
        Some("Jörg Müller"),
        Some("d77"),
    ];
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string();
    (0..n)
        .map(|i| {
            let start = base() + Duration::minutes(rng.below(90) as i64 * 131);
            let mut o = Map::new();
            o.insert("id".into(), json!(format!("r{:05}", (i * 7919) % 100_003)));
            o.insert("start_date".into(), json!(fmt(start)));
            match rng.below(6) {
                0 => {}
                1 => {
                    o.insert("end_date".into(), json!(fmt(start - Duration::minutes(5))));
                }
                _ => {
                    let ms = rng.below(4 * 3_600_000) as i64;
                    o.insert(
                        "end_date".into(),
                        json!(fmt(start + Duration::milliseconds(ms))),
                    );
                }
            }
            let put = |o: &mut Map<String, Value>, key: &str, v: Option<&str>| {
                if let Some(v) = v {
                    o.insert(key.into(), json!(v));
                }
            };
            put(&mut o, "userid", ids[rng.below(6) as usize]);
            put(&mut o, "username", names[rng.below(6) as usize]);
            put(&mut o, "groupid", ids[rng.below(6) as usize]);
            put(&mut o, "groupname", names[rng.below(6) as usize]);
            put(&mut o, "devicename", devices[rng.below(5) as usize]);
            put(&mut o, "deviceid", devices[rng.below(5) as usize]);
            let mut c = Map::new();
            put(&mut c, "email", emails[rng.below(7) as usize]);
            put(&mut c, "name", names[rng.below(6) as usize]);
            if rng.below(4) != 0 {
                o.insert("end_customer".into(), Value::Object(c));
            }
            let states = ["Bill", "Billed", "DoNotBill"];
            if rng.below(4) != 0 {
                o.insert("billing_state".into(), json!(states[rng.below(3) as usize]));
            }
            Value::Object(o)
        })
        .collect()
}

async fn check(url: &ArchiveUrl, seed: u64) {
    let archive = Archive::open(url).await.unwrap();
    archive
        .upsert_json(&random_records(seed, 1500))
        .await
        .unwrap();
    let periods = [
        (base(), base() + Duration::days(30)),
        (base() + Duration::hours(50), base() + Duration::hours(140)),
        (base() + Duration::days(40), base() + Duration::days(41)),
    ];
    for (from, to) in periods {
        let records = archive.billing_records(from, to).await.unwrap();
        let want = insight(&records);
        let got = archive.insight(from, to).await.unwrap();
        assert_eq!(
            got,
            want,
            "Archive::insight must equal billing::insight of the period's billing records \
             (seed {seed}, {from}..{to}, {} records)",
            records.len()
        );
    }
    let (from, to) = periods[0];
    let got = archive.insight(from, to).await.unwrap();
    assert_eq!(got.connections, 1500, "every record is in the first period");
    assert!(
        got.by_user.iter().any(|u| u.userid.is_none()),
        "the data has connections without a user"
    );
}

#[tokio::test]
async fn sqlite_insight_equals_insight_of_the_billing_records() {
    for seed in [7u64, 0x5EED_1234, 0xDEAD_BEEF_0042] {
        let dir = TempDir::new().unwrap();
        check(&ArchiveUrl::Sqlite(dir.path().join("a.sqlite3")), seed).await;
    }
}

#[tokio::test]
async fn postgres_insight_equals_insight_of_the_billing_records() {
    let Some(server) = server_url() else { return };
    for seed in [7u64, 0x5EED_1234] {
        check(&fresh_db(&server).await, seed).await;
    }
}
