//! Benchmark of the billing rules over a year of a busy team: [`build_cases`] over 1,000,000
//! [`BillingRecord`]s (5,000 customers, 4 groups with 2 group rates, 1 % DoNotBill, 0.1 %
//! running, lengths 10 s to 1 h), in random order as the archive hands them over; and the CSV
//! of the resulting cases.
//!
//! Issue 10 item 8: the billing report over 1,000,000 archived records in ≤ 200 ms (release),
//! of which this is the part after the archive read (the read is the archive crate's
//! `billing_records`, benchmarked there).
//!
//! Run: `cargo bench -p sdesk-core --bench billing_cases`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sdesk_core::billing::{build_cases, write_report_csv, BillingRecord, Rates};

/// SplitMix64: deterministic data, the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n).unwrap()
    }
}

fn records(n: usize) -> Vec<BillingRecord> {
    let mut rng = Rng(10);
    let base: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let groups = [
        (Some("g100001"), Some("Standard customers")),
        (Some("g100002"), Some("Premium")),
        (Some("g100003"), Some("Schweiz")),
        (None, None),
    ];
    (0..n)
        .map(|i| {
            let start = base + Duration::seconds(rng.below(365 * 24 * 3600));
            let length = 10 + rng.below(3600);
            let (groupid, groupname) = groups[usize::try_from(rng.below(4)).unwrap()];
            let state = match rng.below(1000) {
                0..=9 => Some("DoNotBill"),
                10..=509 => Some("Billed"),
                510..=759 => None,
                _ => Some("Bill"),
            };
            BillingRecord {
                id: format!("{:08x}-7d1c-4a55-9f0e-{i:012x}", rng.next() as u32),
                start,
                end: (rng.below(1000) != 0).then(|| start + Duration::seconds(length)),
                userid: Some(format!("u{}", 100 + rng.below(40))),
                username: Some("Jörg Müller".to_owned()),
                groupid: groupid.map(str::to_owned),
                groupname: groupname.map(str::to_owned),
                customer: format!("customer{}@example.com", rng.below(5000)),
                billing_state: state.map(str::to_owned),
            }
        })
        .collect()
}

fn rates() -> Rates {
    Rates::from_toml(
        r#"merge_within_minutes = 10
[[group]]
groupid = "g100002"
name = "Premium"
hourly_rate = "120.00"
currency = "EUR"
base_fee = "5.00"
minimum_minutes = 30
increment_minutes = 15
free_under_seconds = 60
[[group]]
groupname = "schweiz"
name = "Schweiz"
hourly_rate = "150.00"
currency = "CHF"
minimum_minutes = 15
increment_minutes = 15
free_under_seconds = 60
"#,
    )
    .unwrap()
}

/// This thread's time on a CPU so far (Linux `/proc/thread-self/schedstat`), in nanoseconds:
/// on a shared machine, the cost of a call without the time spent waiting for a core.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Wall and CPU milliseconds of each of `runs` calls of `f`, printed as `label: wall … cpu …`.
fn cpu_times<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) {
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..runs {
        let (t0, c0) = (std::time::Instant::now(), cpu_ns());
        black_box(f());
        let (t1, c1) = (std::time::Instant::now(), cpu_ns());
        wall.push((t1 - t0).as_secs_f64() * 1e3);
        if let (Some(c0), Some(c1)) = (c0, c1) {
            cpu.push((c1 - c0) as f64 / 1e6);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    eprintln!(
        "{label}: median of {runs} runs: wall {:.0} ms, on-CPU {:.0} ms",
        median(&mut wall),
        median(&mut cpu)
    );
}

fn bench(c: &mut Criterion) {
    let records = records(1_000_000);
    let rates = rates();
    let report = build_cases(&rates, &records);
    eprintln!(
        "1,000,000 records → {} cases, {} excluded",
        report.cases.len(),
        report.excluded.len()
    );
    cpu_times("build_cases", 7, || build_cases(&rates, &records));
    cpu_times("report_csv", 7, || {
        let mut out = Vec::with_capacity(64 << 20);
        write_report_csv(&report.cases, &mut out).unwrap();
        out
    });
    let mut group = c.benchmark_group("billing_1m");
    group.sample_size(10);
    group.bench_function("build_cases", |b| {
        b.iter(|| black_box(build_cases(&rates, black_box(&records))))
    });
    group.bench_function("report_csv", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(64 << 20);
            write_report_csv(&report.cases, &mut out).unwrap();
            black_box(out)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
