#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The in-memory connection log: filter, sort, window, totals, null ordering, updates.
//!
//! Tests live in `mod logs` so that `cargo test -p sdesk-core logs` selects them.

mod logs {
    use chrono::{DateTime, Duration, Utc};
    use proptest::prelude::*;
    use sdesk_core::logs::{
        Column, LogFilter, LogRow, LogStore, RecordFilter, Sort, TimeDisplay, Totals,
    };
    use sdesk_core::models::{
        ConnectionReport, EndCustomer, Feedback, ReportSessionType, ReportUpdate,
    };
    use sdesk_core::ErrorKind;
    use serde_json::json;

    fn ts(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A record from JSON, as the API would send it.
    fn rec(v: serde_json::Value) -> ConnectionReport {
        serde_json::from_value(v).unwrap()
    }

    /// A record with an id, a start and a duration in minutes.
    fn timed(id: &str, start: &str, minutes: i64) -> ConnectionReport {
        let start = ts(start);
        let end = start + Duration::minutes(minutes);
        rec(json!({"id": id, "start_date": start.to_rfc3339(), "end_date": end.to_rfc3339()}))
    }

    /// The ids of records, owned (as the store rebuilds them) or borrowed.
    fn ids(
        it: impl IntoIterator<Item = impl std::borrow::Borrow<ConnectionReport>>,
    ) -> Vec<String> {
        it.into_iter().map(|r| r.borrow().id.clone()).collect()
    }

    fn sample() -> Vec<ConnectionReport> {
        vec![
            rec(json!({
                "id": "r1", "username": "Jörg Müller", "userid": "u1", "devicename": "PC-0001",
                "deviceid": 111, "groupname": "Support", "support_session_type": 2,
                "start_date": "2024-03-02T10:00:00Z", "end_date": "2024-03-02T10:30:00Z",
                "notes": "Printer offline", "fee": 12.5, "currency": "EUR",
                "end_customer": {"name": "Anna Schmidt", "email": "anna@example.com"}
            })),
            rec(json!({
                "id": "r2", "username": "anna berg", "devicename": "LAPTOP-7",
                "start_date": "2024-03-01T09:00:00Z", "end_date": "2024-03-01T09:05:00Z",
                "notes": "VPN", "fee": 3
            })),
            rec(json!({
                "id": "r3", "username": "MÜLLER, Hans", "devicename": "pc-0002",
                "start_date": "2024-03-03T08:00:00Z", "end_date": "2024-03-03T09:00:00Z"
            })),
            rec(json!({"id": "r4", "devicename": "kiosk"})),
        ]
    }

    /// Records starting around midnight and at 14:02 on 28–30 November 2026 (UTC).
    fn around_midnight() -> Vec<ConnectionReport> {
        [
            ("a", "2026-11-28T23:30:00Z"),
            ("b", "2026-11-29T00:15:00Z"),
            ("c", "2026-11-29T14:02:10Z"),
            ("d", "2026-11-29T20:41:34Z"),
            ("e", "2026-11-29T23:59:00Z"),
            ("f", "2026-11-30T14:02:00Z"),
            ("g", "2026-12-29T11:00:00Z"),
        ]
        .into_iter()
        .map(|(id, start)| timed(id, start, 5))
        .collect()
    }

    /// The ids (sorted) whose start, as `format` writes it, contains every word of `typed`.
    fn shown_reference(
        records: &[ConnectionReport],
        format: impl Fn(&DateTime<Utc>) -> String,
        typed: &str,
    ) -> Vec<String> {
        let mut ids: Vec<String> = records
            .iter()
            .filter(|r| {
                let shown = r.start_date.map(|t| format(&t)).unwrap_or_default();
                typed.split_whitespace().all(|w| shown.contains(w))
            })
            .map(|r| r.id.clone())
            .collect();
        ids.sort();
        ids
    }

    fn filtered_ids(store: &mut LogStore, filter: &LogFilter) -> Vec<String> {
        store.apply(filter, None);
        let mut ids = ids(store.view());
        ids.sort();
        ids
    }

    #[test]
    fn a_date_column_filter_matches_the_date_as_the_grid_shows_it() {
        let records = around_midnight();
        let mut store = LogStore::from_records(records.clone());
        let german_utc = TimeDisplay::day_month_year(".", true);
        let with = |display: &TimeDisplay, column: Column, typed: &str| LogFilter {
            times: Some(display.clone()),
            ..LogFilter::default().with_column(column, typed)
        };
        assert_eq!(
            filtered_ids(
                &mut store,
                &with(&german_utc, Column::StartDate, "29.11.2026")
            ),
            ["b", "c", "d", "e"],
            "German UTC: the day typed as the cell shows it finds that day's records"
        );
        assert_eq!(
            filtered_ids(&mut store, &with(&german_utc, Column::StartDate, "14:02")),
            ["c", "f"],
            "a time of day typed as the cell shows it (seconds are not shown)"
        );
        assert_eq!(
            filtered_ids(
                &mut store,
                &with(&german_utc, Column::StartDate, "29.11. 14:02")
            ),
            ["c"],
            "every word must occur"
        );
        assert_eq!(
            filtered_ids(&mut store, &with(&german_utc, Column::StartDate, "29.11.")),
            ["b", "c", "d", "e"],
            "part of a date"
        );
        assert!(
            filtered_ids(
                &mut store,
                &with(&german_utc, Column::StartDate, "2026-11-29T20")
            )
            .is_empty(),
            "the RFC 3339 text is not what the cell shows"
        );
        let british_utc = TimeDisplay::day_month_year("/", true);
        assert_eq!(
            filtered_ids(
                &mut store,
                &with(&british_utc, Column::StartDate, "29/11/2026")
            ),
            ["b", "c", "d", "e"],
            "English: day/month/year"
        );
        assert_eq!(
            filtered_ids(
                &mut store,
                &with(&british_utc, Column::EndDate, "30/11/2026")
            ),
            ["e", "f"],
            "the end column too (e ends 30/11 00:04, f at 14:07)"
        );
        // Local time: this computer's zone, whatever it is, decides the day (the reference
        // formats with chrono's Local independently of the store).
        let german_local = TimeDisplay::day_month_year(".", false);
        for typed in ["29.11.2026", "30.11.", "14:02", "00:", "28.11.2026 23"] {
            assert_eq!(
                filtered_ids(&mut store, &with(&german_local, Column::StartDate, typed)),
                shown_reference(
                    &records,
                    |t| t
                        .with_timezone(&chrono::Local)
                        .format("%d.%m.%Y, %H:%M")
                        .to_string(),
                    typed
                ),
                "local time, typed {typed:?}"
            );
        }
        // Without the display (the CLI's filters), a date still matches the CSV's text.
        assert_eq!(
            filtered_ids(
                &mut store,
                &LogFilter::default().with_column(Column::StartDate, "2026-11-29T20")
            ),
            ["d"],
            "no display: RFC 3339 as exported"
        );
        // A record filter (an export written page by page) matches exactly like the store.
        for typed in ["29.11.2026", "14:02", "30.11. 14"] {
            for display in [&german_utc, &german_local] {
                let filter = with(display, Column::StartDate, typed);
                let mut one = RecordFilter::new(&filter);
                let mut by_record: Vec<String> = records
                    .iter()
                    .filter(|r| one.matches(r))
                    .map(|r| r.id.clone())
                    .collect();
                by_record.sort();
                assert_eq!(
                    by_record,
                    filtered_ids(&mut store, &filter),
                    "record filter and store agree on {typed:?}"
                );
            }
        }
    }

    #[test]
    fn the_shown_dates_follow_new_records_and_the_utc_switch() {
        let mut store = LogStore::from_records(around_midnight());
        let utc = LogFilter {
            times: Some(TimeDisplay::day_month_year(".", true)),
            ..LogFilter::default().with_column(Column::StartDate, "31.12.2026")
        };
        assert!(filtered_ids(&mut store, &utc).is_empty());
        store.extend(vec![timed("h", "2026-12-31T10:00:00Z", 1)]);
        assert_eq!(
            ids(store.view()),
            ["h"],
            "a record loaded later is matched by its shown date (the cache is rebuilt)"
        );
        let ui_json = json!({
            "columns": [{"column": "start_date", "value": "31.12.2026, 10:00"}],
            "times": {"utc": true, "parts": [
                {"type": "day"}, {"type": "literal", "value": "."}, {"type": "month"},
                {"type": "literal", "value": "."}, {"type": "year"},
                {"type": "literal", "value": ", "}, {"type": "hour"},
                {"type": "literal", "value": ":"}, {"type": "minute"}
            ]}
        });
        let from_ui: LogFilter = serde_json::from_value(ui_json).unwrap();
        assert_eq!(
            filtered_ids(&mut store, &from_ui),
            ["h"],
            "the parts as Intl's formatToParts names them"
        );
    }

    #[test]
    fn default_order_is_newest_start_first_with_missing_last() {
        let store = LogStore::from_records(sample());
        assert_eq!(
            ids(store.view()),
            ["r3", "r1", "r2", "r4"],
            "with no sort the view is newest start first, records without a start last"
        );
        // A long connection that started first but ended last: the order is by start, not end
        // (the API delivers end date descending, which read as "not chronological").
        let long_and_short = vec![
            timed("long", "2024-01-01T10:00:00Z", 120),
            timed("short", "2024-01-01T11:00:00Z", 10),
        ];
        let store = LogStore::from_records(long_and_short);
        assert_eq!(
            ids(store.view()),
            ["short", "long"],
            "the later start comes first although it ended earlier"
        );
        let same_start = vec![
            timed("b", "2024-01-01T00:00:00Z", 10),
            timed("a", "2024-01-01T00:00:00Z", 10),
        ];
        let store = LogStore::from_records(same_start);
        assert_eq!(
            ids(store.view()),
            ["b", "a"],
            "ties keep the order as fetched"
        );
    }

    #[test]
    fn every_search_word_must_match_each_anywhere() {
        let mut store = LogStore::from_records(sample());
        store.apply(&LogFilter::text("Müller Anna"), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "Müller (the supporter) and Anna (the customer) are both in r1, in different columns"
        );
        store.apply(&LogFilter::text("anna müller"), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "the words' order does not matter"
        );
        store.apply(&LogFilter::text("\"jörg müller\""), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "a quoted phrase must occur as written"
        );
        store.apply(&LogFilter::text("\"müller jörg\""), None);
        assert_eq!(
            store.view_len(),
            0,
            "a quoted phrase is not split into words"
        );
        store.apply(&LogFilter::text("müller nobody"), None);
        assert_eq!(store.view_len(), 0, "every word must match, not any");
        store.apply(
            &LogFilter::default().with_column(Column::Username, "hans müller"),
            None,
        );
        assert_eq!(
            ids(store.view()),
            ["r3"],
            "column filters take several words too (MÜLLER, Hans)"
        );
    }

    #[test]
    fn pick_list_values_match_exactly_and_come_from_the_data() {
        let records = vec![
            rec(
                json!({"id": "a", "billing_state": "Bill", "username": "Ann", "groupname": "Support",
                "start_date": "2024-03-01T09:00:00Z", "end_date": "2024-03-01T09:05:00Z"}),
            ),
            rec(
                json!({"id": "b", "billing_state": "Billed", "username": "ann", "groupname": "support",
                "start_date": "2024-03-02T09:00:00Z", "end_date": "2024-03-02T09:05:00Z"}),
            ),
            rec(
                json!({"id": "c", "billing_state": "DoNotBill", "username": "Bob",
                "start_date": "2024-03-03T09:00:00Z", "end_date": "2024-03-03T09:05:00Z"}),
            ),
        ];
        let mut store = LogStore::from_records(records);
        store.apply(
            &LogFilter::default().with_column(Column::BillingState, "Bill"),
            None,
        );
        assert_eq!(
            ids(store.view()),
            ["c", "b", "a"],
            "a typed column filter still finds the text anywhere (Bill is in Billed and DoNotBill)"
        );
        store.apply(
            &LogFilter::default().with_exact(Column::BillingState, "Bill"),
            None,
        );
        assert_eq!(
            ids(store.view()),
            ["a"],
            "the pick list's Bill is Bill only"
        );
        store.apply(
            &LogFilter::default().with_exact(Column::BillingState, "Billed"),
            None,
        );
        assert_eq!(ids(store.view()), ["b"], "Billed is not DoNotBill");
        let choices = store.choices();
        assert_eq!(
            choices.billing_states,
            ["Bill", "Billed", "DoNotBill"],
            "the billing states the data has, sorted"
        );
        assert_eq!(
            choices.users,
            ["Ann", "Bob"],
            "values that differ only in case are one choice (matching is case-insensitive)"
        );
        assert_eq!(
            choices.groups,
            ["Support"],
            "a missing group is not a choice"
        );
        store
            .update_record(
                "c",
                &ReportUpdate {
                    billing_state: Some("Billed".into()),
                    ..ReportUpdate::default()
                },
            )
            .unwrap();
        assert_eq!(
            store.choices().billing_states,
            ["Bill", "Billed"],
            "an edit of the billing state updates the pick list"
        );
    }

    #[test]
    fn duration_filters_compare_and_unreadable_ones_are_reported() {
        let records = vec![
            timed("short", "2024-01-01T10:00:00Z", 5),
            timed("half", "2024-01-01T11:00:00Z", 30),
            timed("hour", "2024-01-01T12:00:00Z", 60),
            timed("long", "2024-01-01T13:00:00Z", 90),
        ];
        let mut store = LogStore::from_records(records);
        let cases: [(&str, &[&str]); 6] = [
            (">1h", &["long"]),
            (">=3600", &["long", "hour"]),
            ("<10m", &["short"]),
            ("<=30m", &["half", "short"]),
            ("10m-1h", &["hour", "half"]),
            ("1:30:00", &["long"]),
        ];
        for (text, want) in cases {
            store.apply(
                &LogFilter::default().with_column(Column::DurationSeconds, text),
                None,
            );
            assert_eq!(ids(store.view()), want, "duration filter {text:?}");
            assert!(store.unreadable().is_empty(), "{text:?} can be read");
        }
        store.apply(
            &LogFilter::default().with_column(Column::DurationSeconds, ">1 hour"),
            None,
        );
        assert_eq!(
            store.unreadable(),
            [Column::DurationSeconds],
            "a filter that can't be read is reported, so the UI can say so"
        );
        assert_eq!(
            store.view_len(),
            4,
            "and it filters nothing instead of silently showing 0 rows"
        );
    }

    #[test]
    fn free_text_is_unicode_case_insensitive_over_text_columns() {
        let mut store = LogStore::from_records(sample());
        let t = store.apply(&LogFilter::text("  müller "), None);
        assert_eq!(
            ids(store.view()),
            ["r3", "r1"],
            "MÜLLER and Müller both match müller"
        );
        assert_eq!(t.count, 2, "totals count the view");
        store.apply(&LogFilter::text("ANNA@EXAMPLE"), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "the customer's e-mail is searched"
        );
        store.apply(&LogFilter::text("printer"), None);
        assert_eq!(ids(store.view()), ["r1"], "notes are searched");
        store.apply(&LogFilter::text("remotesupportactive"), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "the session type's API name is searched"
        );
        store.apply(&LogFilter::text("111"), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "a numeric device id is searched as text"
        );
        store.apply(&LogFilter::text("2024-03"), None);
        assert!(
            store.view_len() == 0,
            "free text covers text columns only, not the dates"
        );
        store.apply(&LogFilter::text("vpnlaptop"), None);
        assert_eq!(store.view_len(), 0, "a match never spans two columns");
        store.apply(&LogFilter::text("   "), None);
        assert_eq!(store.view_len(), 4, "blank text filters nothing");
    }

    #[test]
    fn column_filters_match_display_text_and_combine_with_and() {
        let mut store = LogStore::from_records(sample());
        store.apply(
            &LogFilter::default().with_column(Column::Devicename, "PC-000"),
            None,
        );
        assert_eq!(
            ids(store.view()),
            ["r3", "r1"],
            "case-insensitive substring per column"
        );
        store.apply(
            &LogFilter::default()
                .with_column(Column::Devicename, "pc")
                .with_column(Column::Username, "jörg"),
            None,
        );
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "column filters are combined with AND"
        );
        store.apply(
            &LogFilter::default().with_column(Column::StartDate, "2024-03-01T09"),
            None,
        );
        assert_eq!(
            ids(store.view()),
            ["r2"],
            "dates filter on their displayed text"
        );
        store.apply(&LogFilter::default().with_column(Column::Fee, "12.5"), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "the fee filters on its plain decimal"
        );
        store.apply(
            &LogFilter::default().with_column(Column::Username, "müller"),
            None,
        );
        assert_eq!(
            ids(store.view()),
            ["r3", "r1"],
            "only the named column is searched"
        );
        store.apply(
            &LogFilter::default().with_column(Column::Notes, "müller"),
            None,
        );
        assert_eq!(store.view_len(), 0, "the other columns are not searched");
    }

    #[test]
    fn date_range_is_inclusive_from_exclusive_to_on_start_date() {
        let mut store = LogStore::from_records(sample());
        let filter = LogFilter {
            from: Some(ts("2024-03-02T10:00:00Z")),
            to: Some(ts("2024-03-03T08:00:00Z")),
            ..LogFilter::default()
        };
        store.apply(&filter, None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "from is inclusive (r1 starts exactly at from), to exclusive (r3 starts at to)"
        );
        let open_end = LogFilter {
            from: Some(ts("2000-01-01T00:00:00Z")),
            ..LogFilter::default()
        };
        store.apply(&open_end, None);
        assert!(
            !ids(store.view()).contains(&"r4".to_owned()),
            "a record without start date is outside every date range"
        );
    }

    #[test]
    fn sorting_puts_missing_values_last_in_both_directions_and_ties_by_id() {
        let mut store = LogStore::from_records(sample());
        store.apply(&LogFilter::default(), Some(Sort::asc(Column::Username)));
        assert_eq!(
            ids(store.view()),
            ["r2", "r1", "r3", "r4"],
            "ascending, case-insensitive (anna < jörg < müller), missing last"
        );
        store.apply(&LogFilter::default(), Some(Sort::desc(Column::Username)));
        assert_eq!(
            ids(store.view()),
            ["r3", "r1", "r2", "r4"],
            "descending reverses present values but missing stays last"
        );
        store.apply(
            &LogFilter::default(),
            Some(Sort::desc(Column::DurationSeconds)),
        );
        assert_eq!(
            ids(store.view()),
            ["r3", "r1", "r2", "r4"],
            "duration descending"
        );
        store.apply(&LogFilter::default(), Some(Sort::asc(Column::Fee)));
        assert_eq!(
            ids(store.view()),
            ["r2", "r1", "r3", "r4"],
            "fee ascending, missing last"
        );
        store.apply(&LogFilter::default(), Some(Sort::asc(Column::StartDate)));
        assert_eq!(
            ids(store.view()),
            ["r2", "r1", "r3", "r4"],
            "start date ascending"
        );

        let ties = vec![
            timed("c", "2024-01-01T00:00:00Z", 5),
            timed("a", "2024-01-02T00:00:00Z", 5),
            timed("b", "2024-01-03T00:00:00Z", 5),
        ];
        let mut store = LogStore::from_records(ties);
        for descending in [false, true] {
            store.apply(
                &LogFilter::default(),
                Some(Sort {
                    column: Column::DurationSeconds,
                    descending,
                }),
            );
            assert_eq!(
                ids(store.view()),
                ["a", "b", "c"],
                "equal values are ordered by id ascending in either direction"
            );
        }
    }

    #[test]
    fn window_clamps_and_rows_carry_view_index_and_display_text() {
        let mut store = LogStore::from_records(sample());
        store.apply(&LogFilter::default(), Some(Sort::asc(Column::Id)));
        assert_eq!(
            ids(store.window(1, 2).into_iter()),
            ["r2", "r3"],
            "window is a slice"
        );
        assert_eq!(
            store.window(3, 100).len(),
            1,
            "a window past the end is cut"
        );
        assert!(
            store.window(10, 5).is_empty(),
            "a window after the end is empty"
        );
        let rows = store.window_rows(0, 2);
        assert_eq!(
            rows.iter().map(|r| r.index).collect::<Vec<_>>(),
            [0, 1],
            "index is the position in the view"
        );
        let r1: &LogRow = &rows[0];
        assert_eq!(
            r1.start_date, "2024-03-02T10:00:00Z",
            "timestamps in the CSV format"
        );
        assert_eq!(r1.duration_seconds, "1800", "duration in seconds");
        assert_eq!(r1.duration, "0:30:00", "and as h:mm:ss");
        assert_eq!(r1.fee, "12.5", "fee as plain decimal");
        assert_eq!(r1.deviceid, "111", "numeric device ids become text");
        assert_eq!(
            r1.support_session_type, "RemoteSupportActive",
            "the API name"
        );
        assert_eq!(r1.end_customer_name, "Anna Schmidt", "customer flattened");
        let v = serde_json::to_value(r1).unwrap();
        for key in [
            "index",
            "startDate",
            "endCustomerEmail",
            "supportSessionType",
            "contactId",
        ] {
            assert!(
                v.get(key).is_some(),
                "the row crosses to the UI in camelCase: {key}"
            );
        }
        let empty = &store.window_rows(3, 1)[0];
        assert_eq!(
            (
                empty.username.as_str(),
                empty.fee.as_str(),
                empty.start_date.as_str()
            ),
            ("", "", ""),
            "absent values are empty strings"
        );
    }

    #[test]
    fn totals_sum_durations_of_the_view() {
        let mut store = LogStore::from_records(sample());
        assert_eq!(
            store.totals(),
            Totals {
                count: 4,
                total_records: 4,
                duration_seconds: 1800 + 300 + 3600
            },
            "records without dates add nothing"
        );
        let t = store.apply(&LogFilter::text("müller"), None);
        assert_eq!(
            t,
            Totals {
                count: 2,
                total_records: 4,
                duration_seconds: 1800 + 3600
            },
            "totals follow the filter; total_records stays the loaded count"
        );
        assert_eq!(
            store.totals(),
            t,
            "totals() returns the last apply's totals"
        );
        let json = serde_json::to_value(t).unwrap();
        assert_eq!(
            json,
            json!({"count": 2, "totalRecords": 4, "durationSeconds": 5400}),
            "totals cross to the UI in camelCase"
        );
    }

    #[test]
    fn update_record_applies_locally_and_reapplies_the_view() {
        let mut store = LogStore::from_records(sample());
        store.apply(&LogFilter::text("printer"), Some(Sort::asc(Column::Notes)));
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "precondition: r1 matches by its notes"
        );
        let t = store
            .update_record(
                "r1",
                &ReportUpdate {
                    notes: Some("Fixed the scanner".into()),
                    billing_state: Some("billed".into()),
                },
            )
            .unwrap();
        assert_eq!(
            t.count, 0,
            "the new notes no longer match, so the record leaves the view"
        );
        let r1 = store.get("r1").unwrap();
        assert_eq!(
            r1.notes.as_deref(),
            Some("Fixed the scanner"),
            "notes updated"
        );
        assert_eq!(
            r1.billing_state.as_deref(),
            Some("billed"),
            "billing state updated"
        );
        store.apply(&LogFilter::text("SCANNER"), None);
        assert_eq!(
            ids(store.view()),
            ["r1"],
            "the search index follows the update"
        );

        store.apply(&LogFilter::default(), Some(Sort::asc(Column::Notes)));
        assert_eq!(
            ids(store.view()),
            ["r1", "r2", "r3", "r4"],
            "fixed < vpn, missing last"
        );
        store
            .update_record(
                "r1",
                &ReportUpdate {
                    notes: Some("zzz".into()),
                    billing_state: None,
                },
            )
            .unwrap();
        assert_eq!(
            ids(store.view()),
            ["r2", "r1", "r3", "r4"],
            "a cached sort rank is refreshed after an update"
        );
        assert_eq!(
            store.get("r1").unwrap().billing_state.as_deref(),
            Some("billed"),
            "fields not in the update are kept"
        );
        let err = store
            .update_record("nope", &ReportUpdate::default())
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::NotFound,
            "unknown ids are reported, not ignored"
        );
    }

    #[test]
    fn many_updates_keep_the_index_consistent() {
        let records: Vec<_> = (0..2000)
            .map(|i| {
                rec(json!({"id": format!("id{i:05}"), "notes": "x".repeat(600),
                           "end_date": "2024-01-01T00:00:00Z"}))
            })
            .collect();
        let mut store = LogStore::from_records(records);
        for round in 0..3 {
            for i in 0..2000 {
                let notes = format!("round{round} {}", "y".repeat(600));
                store
                    .update_record(
                        &format!("id{i:05}"),
                        &ReportUpdate {
                            notes: Some(notes),
                            billing_state: None,
                        },
                    )
                    .unwrap();
            }
        }
        let t = store.apply(&LogFilter::text("round2"), None);
        assert_eq!(
            t.count, 2000,
            "after arena compaction every record is still found"
        );
        let t = store.apply(&LogFilter::text("round1"), None);
        assert_eq!(t.count, 0, "old texts are gone");
    }

    #[test]
    fn extend_and_set_records_dedupe_by_id_and_keep_filter_and_sort() {
        let mut store = LogStore::new();
        assert!(store.is_empty(), "a new store is empty");
        store.apply(&LogFilter::text("pc"), Some(Sort::asc(Column::Id)));
        store.set_records(sample());
        assert_eq!(
            ids(store.view()),
            ["r1", "r3"],
            "the remembered filter and sort apply"
        );
        let mut again = sample();
        again[0].devicename = Some("PC-renamed".into());
        again.push(rec(json!({"id": "r5", "devicename": "PC-5"})));
        let t = store.extend(again);
        assert_eq!(
            store.len(),
            5,
            "records already loaded are replaced, not duplicated"
        );
        assert_eq!(t.total_records, 5, "totals count distinct records");
        assert_eq!(
            ids(store.view()),
            ["r1", "r3", "r5"],
            "new records join the view"
        );
        assert_eq!(
            store.get("r1").unwrap().devicename.as_deref(),
            Some("PC-renamed"),
            "newer data wins"
        );
        let mut dup = sample();
        dup.extend(sample());
        store.set_records(dup);
        assert_eq!(store.len(), 4, "set_records keeps one record per id");
        assert_eq!(
            store.view_position("r3"),
            Some(1),
            "position in the view by id"
        );
        assert_eq!(store.view_position("r2"), None, "r2 is filtered out");
    }

    #[test]
    fn filter_and_sort_types_cross_from_the_ui_as_camel_case() {
        let f: LogFilter = serde_json::from_value(json!({
            "text": "müller",
            "columns": [{"column": "end_customer_name", "value": "anna"}],
            "from": "2024-03-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(
            f.columns[0].column,
            Column::EndCustomerName,
            "snake_case column names"
        );
        assert!(f.to.is_none(), "missing fields default");
        let s: Sort = serde_json::from_value(json!({"column": "duration_seconds"})).unwrap();
        assert!(!s.descending, "descending defaults to false");
    }

    /// The records of `records` that `filter` keeps one at a time, in the order given.
    fn kept_one_by_one(records: &[ConnectionReport], filter: &LogFilter) -> Vec<String> {
        let mut one = RecordFilter::new(filter);
        ids(records.iter().filter(|r| one.matches(r)))
    }

    /// The ids in a store's view with `filter`, in the order given (not the view's order).
    fn kept_by_store(records: &[ConnectionReport], filter: &LogFilter) -> Vec<String> {
        let mut store = LogStore::from_records(records.to_vec());
        store.apply(filter, None);
        let view: std::collections::HashSet<String> = ids(store.view()).into_iter().collect();
        records
            .iter()
            .filter(|r| view.contains(&r.id))
            .map(|r| r.id.clone())
            .collect()
    }

    #[test]
    fn one_record_at_a_time_matches_as_the_store_does() {
        let records = sample();
        let filters = [
            LogFilter::default(),
            LogFilter::text("   "),
            LogFilter::text("MÜLLER"),
            LogFilter::text("  müller "),
            LogFilter::text("anna s"),
            LogFilter::text("anna schmidt printer"),
            LogFilter::text("pc-000"),
            LogFilter::text("12.5"),
            LogFilter::text("2024-03"),
            LogFilter::text("\u{1f}"),
            LogFilter::text("eur").with_column(Column::Username, "jörg"),
            LogFilter {
                from: Some(ts("2024-03-02T00:00:00Z")),
                ..LogFilter::default()
            },
        ];
        for filter in &filters {
            assert_eq!(
                kept_one_by_one(&records, filter),
                kept_by_store(&records, filter),
                "{filter:?}"
            );
        }
        assert_eq!(
            kept_one_by_one(&records, &LogFilter::text("MÜLLER")),
            ["r1", "r3"],
            "Unicode case folding, as in the app"
        );
        assert!(
            kept_one_by_one(&records, &LogFilter::text("2024-03")).is_empty(),
            "dates are not text columns"
        );
        assert!(RecordFilter::new(&LogFilter::text(" ")).is_trivial());
    }

    // ---- property: the fast filter/sort equals a naive reference ----

    fn arb_text() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some(String::new())),
            Just(Some(" ".to_owned())),
            "[a-cA-CäÄ ]{0,4}".prop_map(Some),
        ]
    }

    fn arb_record(i: usize) -> impl Strategy<Value = ConnectionReport> {
        (
            arb_text(),
            arb_text(),
            proptest::option::of(0i64..5),
            proptest::option::of(0i64..4),
            proptest::option::of(prop_oneof![Just(1.0f64), Just(2.5), Just(-1.0)]),
        )
            .prop_map(move |(username, notes, start, minutes, fee)| {
                let base = ts("2024-01-01T00:00:00Z");
                let start_date = start.map(|h| base + Duration::hours(h));
                let end_date = match (start_date, minutes) {
                    (Some(s), Some(m)) => Some(s + Duration::minutes(m)),
                    _ => None,
                };
                let mut r = rec(json!({"id": format!("id{:03}", 999 - i)}));
                r.username = username;
                r.notes = notes;
                r.start_date = start_date;
                r.end_date = end_date;
                r.fee = fee;
                r
            })
    }

    fn arb_records() -> impl Strategy<Value = Vec<ConnectionReport>> {
        (0usize..40).prop_flat_map(|n| (0..n).map(arb_record).collect::<Vec<_>>())
    }

    /// Reference ordering: present values by the column (text lowercased), missing last, ties
    /// by id.
    fn reference_sort(records: &[ConnectionReport], keep: &[usize], sort: Sort) -> Vec<String> {
        use std::cmp::Ordering;
        let text_key = |r: &ConnectionReport| -> Option<String> {
            let s = sdesk_core::logs::column_text(r, sort.column);
            (!s.trim().is_empty()).then(|| s.to_lowercase())
        };
        let mut v: Vec<&ConnectionReport> = keep.iter().map(|&i| &records[i]).collect();
        v.sort_by(|a, b| {
            let ord = match sort.column {
                Column::StartDate => cmp_opt(a.start_date, b.start_date),
                Column::DurationSeconds => cmp_opt(a.duration_seconds(), b.duration_seconds()),
                Column::Fee => cmp_opt(
                    a.fee.map(|f| (f * 10.0) as i64),
                    b.fee.map(|f| (f * 10.0) as i64),
                ),
                _ => cmp_opt(text_key(a), text_key(b)),
            };
            let ord = match ord {
                (Some(o), true) if sort.descending => Some(o.reverse()),
                (o, _) => o,
            };
            ord.unwrap_or(Ordering::Equal).then_with(|| a.id.cmp(&b.id))
        });
        v.into_iter().map(|r| r.id.clone()).collect()
    }

    /// Compares options: `(Some(order), true)` when both present, missing-last otherwise.
    fn cmp_opt<T: Ord>(a: Option<T>, b: Option<T>) -> (Option<std::cmp::Ordering>, bool) {
        use std::cmp::Ordering;
        match (a, b) {
            (Some(a), Some(b)) => (Some(a.cmp(&b)), true),
            (Some(_), None) => (Some(Ordering::Less), false),
            (None, Some(_)) => (Some(Ordering::Greater), false),
            (None, None) => (Some(Ordering::Equal), false),
        }
    }

    proptest! {
        #[test]
        fn fast_filter_and_sort_equal_the_naive_reference(
            records in arb_records(),
            needle in "[a-cA-Cä]{0,2}",
            column in prop_oneof![
                Just(Column::Username), Just(Column::Notes), Just(Column::StartDate),
                Just(Column::DurationSeconds), Just(Column::Fee)
            ],
            descending in any::<bool>(),
        ) {
            let mut store = LogStore::from_records(records.clone());
            let sort = Sort { column, descending };
            store.apply(&LogFilter::text(needle.clone()), Some(sort));
            let n = needle.trim().to_lowercase();
            let keep: Vec<usize> = (0..records.len())
                .filter(|&i| {
                    let r = &records[i];
                    n.is_empty()
                        || Column::ALL.iter().filter(|c| c.is_text()).any(|&c| {
                            sdesk_core::logs::column_text(r, c).to_lowercase().contains(&n)
                        })
                })
                .collect();
            let want = reference_sort(&records, &keep, sort);
            prop_assert_eq!(
                ids(store.view()), want,
                "the ranked-key sort and the arena search must agree with the obvious algorithm"
            );
        }

        #[test]
        fn one_record_at_a_time_equals_the_store(
            records in arb_records(),
            needle in "[a-cA-Cä ]{0,3}",
            column in proptest::option::of("[a-cä]{1,2}"),
        ) {
            let mut filter = LogFilter::text(needle);
            if let Some(value) = column {
                filter = filter.with_column(Column::Notes, value);
            }
            prop_assert_eq!(
                kept_one_by_one(&records, &filter),
                kept_by_store(&records, &filter)
            );
        }
    }

    // ---- property: the compact store gives back every field exactly ----

    /// Texts that test the storage: missing vs empty, Unicode case, the column separator, long.
    fn arb_field() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some(String::new())),
            Just(Some(" ".to_owned())),
            Just(Some("Müller ÄÖÜ ẞ İstanbul".to_owned())),
            Just(Some("a\u{1f}b".to_owned())),
            Just(Some("x".repeat(300))),
            "[a-zA-Z0-9äÄ€ -]{0,12}".prop_map(Some),
            any::<String>().prop_map(Some),
        ]
    }

    fn arb_time() -> impl Strategy<Value = Option<DateTime<Utc>>> {
        prop_oneof![
            Just(None),
            (0i64..4_000_000_000).prop_map(|s| DateTime::from_timestamp(s, 0)),
            (-100_000_000_000i64..100_000_000_000, 0u32..1_000_000_000)
                .prop_map(|(s, n)| DateTime::from_timestamp(s, n)),
            // A leap second.
            (0i64..1_000_000, 1_000_000_000u32..2_000_000_000)
                .prop_map(|(m, n)| DateTime::from_timestamp(m * 60 + 59, n)),
        ]
    }

    fn arb_fee() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            (0u32..10_000_000).prop_map(|c| Some(f64::from(c) / 100.0)),
            prop_oneof![
                Just(-0.0f64),
                Just(0.1 + 0.2),
                Just(12.5),
                Just(1e21),
                Just(1e-7),
                Just(f64::MAX),
                Just(f64::MIN_POSITIVE / 4.0),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(-3.75),
                Just(42_949_672.95),
            ]
            .prop_map(Some),
            any::<f64>().prop_map(Some),
        ]
    }

    fn arb_type() -> impl Strategy<Value = Option<ReportSessionType>> {
        prop_oneof![
            Just(None),
            Just(Some(ReportSessionType::RemoteConnection)),
            Just(Some(ReportSessionType::RemoteSupportActive)),
            Just(Some(ReportSessionType::RemoteSupportActiveSdk)),
            Just(Some(ReportSessionType::Other("7".to_owned()))),
            Just(Some(ReportSessionType::Other("Pilot Ä".to_owned()))),
        ]
    }

    fn arb_full_record(i: usize) -> impl Strategy<Value = ConnectionReport> {
        let texts = proptest::collection::vec(arb_field(), 16);
        let dates = (arb_time(), arb_time());
        let extras = (
            arb_fee(),
            arb_type(),
            proptest::option::of((arb_field(), arb_field())),
            proptest::option::of((proptest::option::of(any::<i64>()), arb_field())),
            prop_oneof![
                Just("3f2b1c4d-0000-4abc-8def-0123456789ab".to_owned()),
                Just("ID-Upper".to_owned()),
                Just(String::new()),
                any::<String>(),
            ],
        );
        (texts, dates, extras).prop_map(
            move |(t, (start_date, end_date), (fee, kind, customer, feedback, id))| {
                ConnectionReport {
                    // Unique per record, in every shape.
                    id: format!("{id}#{i}"),
                    userid: t[0].clone(),
                    username: t[1].clone(),
                    deviceid: t[2].clone(),
                    devicename: t[3].clone(),
                    groupid: t[4].clone(),
                    groupname: t[5].clone(),
                    support_session_type: kind,
                    start_date,
                    end_date,
                    fee,
                    currency: t[6].clone(),
                    billing_state: t[7].clone(),
                    notes: t[8].clone(),
                    contact_id: t[9].clone(),
                    session_code: t[10].clone(),
                    session_note: t[11].clone(),
                    end_customer: customer.map(|(name, email)| EndCustomer { name, email }),
                    feedback: feedback.map(|(session_rating, user_comment)| Feedback {
                        session_rating,
                        user_comment,
                    }),
                    custom_api: t[12].clone(),
                }
            },
        )
    }

    /// `r` with the fee as its bits, so that NaN compares equal to itself.
    fn exact(r: &ConnectionReport) -> (ConnectionReport, Option<u64>) {
        let mut copy = r.clone();
        copy.fee = None;
        (copy, r.fee.map(f64::to_bits))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_field_round_trips_through_the_store_exactly(
            records in (1usize..30).prop_flat_map(|n| (0..n).map(arb_full_record).collect::<Vec<_>>()),
            edit in any::<usize>(),
            notes in arb_field(),
            state in "[A-Za-zä]{0,8}",
        ) {
            let mut store = LogStore::from_records(records.clone());
            let back: Vec<_> = store.records().map(|r| exact(&r)).collect();
            let want: Vec<_> = records.iter().map(exact).collect();
            prop_assert_eq!(&back, &want, "records → store → records must be equal, field by field");
            for r in &records {
                prop_assert_eq!(
                    store.get(&r.id).map(|g| exact(&g)),
                    Some(exact(r)),
                    "get rebuilds the record"
                );
            }
            // An edit changes exactly notes and billing state.
            let mut edited = records[edit % records.len()].clone();
            let update = ReportUpdate {
                notes: notes.clone(),
                billing_state: Some(state.clone()),
            };
            store.update_record(&edited.id, &update).unwrap();
            if let Some(n) = notes {
                edited.notes = Some(n);
            }
            edited.billing_state = Some(state);
            prop_assert_eq!(
                store.get(&edited.id).map(|g| exact(&g)),
                Some(exact(&edited)),
                "an edit changes only notes and billing state"
            );
            prop_assert_eq!(store.len(), records.len());
        }
    }
}
