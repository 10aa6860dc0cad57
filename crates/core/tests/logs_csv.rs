#![allow(clippy::unwrap_used, clippy::expect_used)]
//! CSV export: exact header, RFC 4180 round trip with adversarial text, formula escaping,
//! delimiter and BOM options, atomic file export, and the ticket text.
//!
//! Tests live in `mod logs` so that `cargo test -p sdesk-core logs` selects them.

mod logs {
    use proptest::prelude::*;
    use sdesk_core::logs::{
        column_text, export_csv, export_csv_to_path, needs_formula_escape, ticket_text,
        write_file_atomically, Column, CsvOptions, CsvWriter, LogFilter, LogStore, Sort,
        CSV_HEADER,
    };
    use sdesk_core::models::{ConnectionReport, EndCustomer, ReportSessionType};
    use sdesk_core::{Error, ErrorKind};
    use serde_json::json;
    use std::fs;

    const HEADER: &str = "id,start_date,end_date,duration_seconds,userid,username,deviceid,devicename,groupid,groupname,support_session_type,session_code,end_customer_name,end_customer_email,billing_state,fee,currency,notes,contact_id";

    fn rec(v: serde_json::Value) -> ConnectionReport {
        serde_json::from_value(v).unwrap()
    }

    fn full() -> ConnectionReport {
        rec(json!({
            "id": "6a4d3c3e-0c1f-4d0e-9a35-2b6c1f0e0a11", "userid": "u123", "username": "Jörg Müller",
            "deviceid": 987654321, "devicename": "PC-0001", "groupid": "g42", "groupname": "Support",
            "support_session_type": 2, "session_code": "s123-456-789",
            "start_date": "2024-03-02T10:00:00.750Z", "end_date": "2024-03-02T11:02:03Z",
            "fee": 12.5, "currency": "EUR", "billing_state": "open", "notes": "ok",
            "contact_id": "c1", "end_customer": {"name": "Anna", "email": "anna@example.com"}
        }))
    }

    fn export_string(records: &[ConnectionReport], options: &CsvOptions) -> (u64, String) {
        let mut out = Vec::new();
        let n = export_csv(records, &mut out, options).unwrap();
        (n, String::from_utf8(out).unwrap())
    }

    fn read_back(data: &[u8], delimiter: u8) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(data);
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (header, rows)
    }

    /// What a text value must read back as: `'` before it when it starts with a formula
    /// character (OWASP), and `'` after every line break (LF, CRLF, lone CR), `,` or `;` that is
    /// followed by `=`, `+`, `-`, `@`, TAB, NUL or `"` (a cell start for a spreadsheet with
    /// either list separator).
    fn escaped(s: &str) -> String {
        let mut out = String::new();
        if needs_formula_escape(s) {
            out.push('\'');
        }
        let chars: Vec<char> = s.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            out.push(c);
            let next = chars.get(i + 1).copied();
            let cell_start = match c {
                '\n' | ',' | ';' => true,
                '\r' => next != Some('\n'),
                _ => false,
            };
            if cell_start && matches!(next, Some('=' | '+' | '-' | '@' | '\t' | '\0' | '"')) {
                out.push('\'');
            }
        }
        out
    }

    #[test]
    fn header_is_exact_and_lines_end_with_crlf() {
        assert_eq!(
            CSV_HEADER, HEADER,
            "the public constant is the documented header"
        );
        let (n, text) = export_string(&[], &CsvOptions::default());
        assert_eq!(n, 0, "no records, no rows");
        assert_eq!(
            text,
            format!("{HEADER}\r\n"),
            "an empty export is the header line only"
        );
        let (_, text) = export_string(&[], &CsvOptions::excel_semicolon());
        assert_eq!(
            text,
            format!("\u{feff}{}\r\n", HEADER.replace(',', ";")),
            "with ';' the header uses ';', and the BOM comes first"
        );
    }

    #[test]
    fn values_are_formatted_as_documented() {
        let (n, text) = export_string(&[full()], &CsvOptions::default());
        assert_eq!(n, 1, "one row written");
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "6a4d3c3e-0c1f-4d0e-9a35-2b6c1f0e0a11,2024-03-02T10:00:00Z,2024-03-02T11:02:03Z,3722,\
             u123,Jörg Müller,987654321,PC-0001,g42,Support,RemoteSupportActive,s123-456-789,Anna,\
             anna@example.com,open,12.5,EUR,ok,c1",
            "timestamps without fractions in UTC, duration in seconds, API type name, plain fee"
        );
        let bare = rec(json!({"id": "x"}));
        let (_, text) = export_string(&[bare], &CsvOptions::default());
        assert_eq!(
            text.lines().nth(1).unwrap(),
            format!("x{}", ",".repeat(18)),
            "absent values are empty fields"
        );
        let mut other = rec(json!({"id": "y", "fee": 1e21}));
        other.support_session_type = Some(ReportSessionType::Other("7".into()));
        let (_, text) = export_string(&[other], &CsvOptions::default());
        let (_, rows) = read_back(text.as_bytes(), b',');
        assert_eq!(
            rows[0][10], "7",
            "unknown session types are written as received"
        );
        assert_eq!(
            rows[0][15], "1000000000000000000000",
            "no exponent in the fee"
        );
    }

    #[test]
    fn generated_columns_are_not_formula_escaped() {
        let r = rec(json!({"id": "n", "fee": -12.5,
            "start_date": "2024-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:10Z"}));
        let (_, text) = export_string(&[r], &CsvOptions::default());
        let (_, rows) = read_back(text.as_bytes(), b',');
        assert_eq!(
            rows[0][15], "-12.5",
            "a negative fee is a number we generate, not text"
        );
        assert_eq!(rows[0][3], "10", "duration is generated");
    }

    const ADVERSARIAL: &[&str] = &[
        "plain",
        "comma, inside",
        "semi; colon",
        "quote \" inside",
        "\"starts with quote",
        "line\nfeed",
        "windows\r\nline",
        "trailing newline\n",
        "Umlaute äöüß ÄÖÜ",
        "emoji 🎧🚀 and 中文",
        "=SUM(A1:A2)",
        "+49 30 123",
        "-2+3",
        "@cmd",
        "\tTAB first",
        "\rCR first",
        "\0NUL first",
        "  leading spaces",
        "'already quoted",
        "",
    ];

    fn adversarial_records() -> Vec<ConnectionReport> {
        ADVERSARIAL
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut r = full();
                r.id = format!("id-{i}");
                for field in [
                    &mut r.username,
                    &mut r.devicename,
                    &mut r.groupname,
                    &mut r.notes,
                    &mut r.billing_state,
                    &mut r.session_code,
                    &mut r.contact_id,
                ] {
                    *field = Some((*s).to_owned());
                }
                r.end_customer = Some(EndCustomer {
                    name: Some((*s).to_owned()),
                    email: Some(format!("{s}@x")),
                });
                r
            })
            .collect()
    }

    fn check_round_trip(options: &CsvOptions) {
        let records = adversarial_records();
        let mut out = Vec::new();
        let n = export_csv(&records, &mut out, options).unwrap();
        assert_eq!(n, records.len() as u64, "one row per record");
        let data = if options.bom {
            assert_eq!(&out[..3], &[0xEF, 0xBB, 0xBF], "BOM bytes first");
            &out[3..]
        } else {
            &out[..]
        };
        let (header, rows) = read_back(data, options.delimiter);
        assert_eq!(header.join(","), HEADER, "header reads back");
        assert_eq!(
            rows.len(),
            records.len(),
            "embedded line breaks do not split rows"
        );
        for (r, row) in records.iter().zip(&rows) {
            assert_eq!(row.len(), 19, "every row has all columns");
            for (c, got) in Column::ALL.iter().zip(row) {
                let raw = column_text(r, *c);
                let want = if c.is_text() { escaped(&raw) } else { raw };
                assert_eq!(
                    got, &want,
                    "column {c} of {} must read back as written (formula starters get ')",
                    r.id
                );
            }
        }
    }

    #[test]
    fn the_incremental_writer_gives_the_bytes_of_export_csv() {
        let mut records = adversarial_records();
        records.push(full());
        let mut bare = rec(json!({"id": "bare"}));
        bare.fee = Some(-0.5);
        records.push(bare);
        let options = [
            CsvOptions::default(),
            CsvOptions::excel_semicolon(),
            CsvOptions {
                delimiter: b'\t',
                bom: true,
            },
            CsvOptions {
                delimiter: b'|',
                bom: false,
            },
        ];
        for options in &options {
            for n in [0, 1, records.len()] {
                let mut whole = Vec::new();
                let rows = export_csv(&records[..n], &mut whole, options).unwrap();
                let mut writer = CsvWriter::new(Vec::new(), options).unwrap();
                for (i, r) in records[..n].iter().enumerate() {
                    writer.write_record(r).unwrap();
                    assert_eq!(writer.rows(), i as u64 + 1);
                    if i % 3 == 0 {
                        writer.flush().unwrap();
                    }
                }
                let (parts, counted) = writer.finish().unwrap();
                assert_eq!(counted, rows, "{options:?}, {n} records: the row count");
                assert!(
                    parts == whole,
                    "{options:?}, {n} records: record by record (flushed on the way) the bytes \
                     are those of one export_csv call"
                );
            }
        }
    }

    #[test]
    fn the_incremental_writer_refuses_a_bad_delimiter_before_writing() {
        let mut out = Vec::new();
        let err = CsvWriter::new(
            &mut out,
            &CsvOptions {
                delimiter: b'x',
                bom: true,
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(out.is_empty(), "nothing written");
    }

    #[test]
    fn adversarial_text_round_trips_with_comma() {
        check_round_trip(&CsvOptions::default());
    }

    #[test]
    fn adversarial_text_round_trips_with_semicolon_and_bom() {
        check_round_trip(&CsvOptions::excel_semicolon());
        check_round_trip(&CsvOptions {
            delimiter: b';',
            bom: false,
        });
    }

    #[test]
    fn bom_only_when_asked() {
        let (_, text) = export_string(&[], &CsvOptions::default());
        assert!(text.starts_with("id,"), "no BOM by default");
        let mut out = Vec::new();
        export_csv(
            &[],
            &mut out,
            &CsvOptions {
                delimiter: b',',
                bom: true,
            },
        )
        .unwrap();
        assert_eq!(
            &out[..5],
            b"\xEF\xBB\xBFid",
            "BOM bytes EF BB BF then the header"
        );
    }

    #[test]
    fn invalid_delimiter_is_refused() {
        let err = export_csv(
            &[],
            Vec::new(),
            &CsvOptions {
                delimiter: b'"',
                bom: false,
            },
        )
        .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidInput,
            "a quote cannot be a delimiter"
        );
    }

    #[test]
    fn exports_exactly_the_rows_in_view() {
        let mut records = adversarial_records();
        records.truncate(5);
        let mut store = LogStore::from_records(records);
        store.apply(&LogFilter::text("INSIDE"), Some(Sort::desc(Column::Id)));
        let mut out = Vec::new();
        let n = export_csv(store.view(), &mut out, &CsvOptions::default()).unwrap();
        let (_, rows) = read_back(&out, b',');
        let got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(n, 2, "the row count is the view's");
        assert_eq!(got, ["id-3", "id-1"], "filtered and in view order");
    }

    #[test]
    fn path_export_writes_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        fs::write(&path, "previous").unwrap();
        let n = export_csv_to_path(&[full()], &path, &CsvOptions::default()).unwrap();
        assert_eq!(n, 1, "row count returned");
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(HEADER),
            "the new export replaced the old file"
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn failed_export_does_not_clobber_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        fs::write(&path, "keep me").unwrap();

        let err = write_file_atomically(&path, |out| {
            let records = adversarial_records();
            export_csv(&records, &mut *out, &CsvOptions::default())?;
            Err::<u64, _>(Error::Cancelled)
        })
        .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Cancelled,
            "the writer's error is returned"
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "keep me",
            "a failed export leaves the existing file untouched"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the half-written temporary file is removed"
        );

        let bad = CsvOptions {
            delimiter: b'\n',
            bom: false,
        };
        assert!(
            export_csv_to_path(&[full()], &path, &bad).is_err(),
            "invalid options fail before anything is written"
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "keep me",
            "still untouched"
        );

        let sub = dir.path().join("missing").join("x.csv");
        let err = export_csv_to_path(&[full()], &sub, &CsvOptions::default()).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Io,
            "a missing directory is a file error"
        );
        assert!(!sub.exists(), "nothing is created");

        let as_dir = dir.path().join("adir");
        fs::create_dir(&as_dir).unwrap();
        fs::write(as_dir.join("inside"), "x").unwrap();
        assert!(
            export_csv_to_path(&[full()], &as_dir, &CsvOptions::default()).is_err(),
            "a directory is not replaced by a file"
        );
        assert!(
            as_dir.join("inside").exists(),
            "and its content is untouched"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "the temporary file is removed when the rename fails"
        );
    }

    /// Notes, the exact CSV field each must become with `,` and with `;`, and why.
    const FORMULA_CASES: &[(&str, &str, &str)] = &[
        ("plain text", "plain text", "plain text is written as it is"),
        ("=1+1", "'=1+1", "a formula start gets a '"),
        ("-5", "'-5", "so does a leading minus in text"),
        (
            "a;=1+1",
            "\"a;'=1+1\"",
            "a ';' is quoted with either delimiter, and a spreadsheet splitting the line at ';' \
             (German Excel opening a ',' file) must not find a cell =1+1 after it",
        ),
        (
            "b,@SUM(A1)",
            "\"b,'@SUM(A1)\"",
            "a ',' likewise, for a ';' file opened by a spreadsheet that splits at ','",
        ),
        (
            "1,5 h",
            "\"1,5 h\"",
            "a German decimal comma is quoted in both files",
        ),
        (
            "a; =1",
            "\"a; =1\"",
            "after a space no cell starts with =, nothing to escape",
        ),
        (
            "a;\"=1+1;",
            "\"a;'\"\"=1+1;\"",
            "a quote after a separator would open a quoted cell reading =1+1",
        ),
        (
            "first\n=2+3",
            "\"first\n'=2+3\"",
            "every line of a multi-line note gets the formula rule",
        ),
        (
            "x\r\n-1\r\n+2",
            "\"x\r\n'-1\r\n'+2\"",
            "CRLF line breaks count once, each line is checked",
        ),
        (
            "lone\r@cr",
            "\"lone\r'@cr\"",
            "a lone CR is a line break too",
        ),
        (
            "tab\n\tx",
            "\"tab\n'\tx\"",
            "TAB starts a formula at a line start",
        ),
        (
            "blank\r\n\r\nline",
            "\"blank\r\n\r\nline\"",
            "empty lines are not escaped (a CR there is a line break, not content)",
        ),
        (
            "say \"hi\"\n\"=1+1",
            "\"say \"\"hi\"\"\n'\"\"=1+1\"",
            "quotes are doubled, and a line that starts with a quote is escaped",
        ),
        (
            "pipe|tab\tx",
            "pipe|tab\tx",
            "| and an inner TAB need no quotes with , or ;",
        ),
    ];

    fn check_exact_bytes(delimiter: u8) {
        let d = char::from(delimiter).to_string();
        let mut records: Vec<ConnectionReport> = FORMULA_CASES
            .iter()
            .enumerate()
            .map(|(i, (note, _, _))| rec(json!({"id": format!("r{i}"), "notes": note})))
            .collect();
        records.push(rec(json!({"id": "=id", "fee": -12.5,
            "start_date": "2024-01-01T00:00:00Z", "end_date": "2024-01-01T00:00:10Z"})));
        let (_, text) = export_string(
            &records,
            &CsvOptions {
                delimiter,
                bom: false,
            },
        );
        let mut want = vec![format!("{}\r\n", HEADER.replace(',', &d))];
        for (i, (_, field, _)) in FORMULA_CASES.iter().enumerate() {
            want.push(format!("r{i}{}{field}{d}\r\n", d.repeat(17)));
        }
        want.push(format!(
            "'=id{d}2024-01-01T00:00:00Z{d}2024-01-01T00:00:10Z{d}10{}-12.5{}\r\n",
            d.repeat(12),
            d.repeat(3)
        ));
        let mut rest = text.as_str();
        for (i, line) in want.iter().enumerate() {
            let why = FORMULA_CASES.get(i.wrapping_sub(1)).map_or(
                "header; generated values (negative fee, duration) stay unescaped",
                |c| c.2,
            );
            assert!(
                rest.starts_with(line.as_str()),
                "delimiter {d:?}, line {i}: {why}\n want {line:?}\n  got {:?}",
                &rest[..rest.len().min(line.len() + 20)]
            );
            rest = &rest[line.len()..];
        }
        assert_eq!(rest, "", "nothing after the last row");
    }

    #[test]
    fn formula_and_separator_rules_give_exact_bytes_with_comma() {
        check_exact_bytes(b',');
    }

    #[test]
    fn formula_and_separator_rules_give_exact_bytes_with_semicolon() {
        check_exact_bytes(b';');
    }

    #[test]
    fn a_250_byte_file_name_can_be_exported_to() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("{}.csv", "b".repeat(246));
        assert_eq!(name.len(), 250, "precondition: a valid 250-byte file name");
        let path = dir.path().join(&name);
        let n = export_csv_to_path(&[full()], &path, &CsvOptions::default())
            .expect("a temporary name derived from a 250-byte name exceeds the 255-byte limit");
        assert_eq!(n, 1, "the row was written");
        assert!(
            fs::read_to_string(&path).unwrap().starts_with(HEADER),
            "the export is at the long name"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left behind"
        );
    }

    #[cfg(unix)]
    #[test]
    fn export_never_widens_the_permissions_of_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| {
            format!(
                "{:o}",
                fs::metadata(p).unwrap().permissions().mode() & 0o777
            )
        };
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("private.csv");
        fs::write(&private, "old").unwrap();
        fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).unwrap();
        export_csv_to_path(&[full()], &private, &CsvOptions::default()).unwrap();
        assert_eq!(
            mode(&private),
            "600",
            "a 0600 export target must stay 0600, not become a world-readable 0644 file"
        );
        assert!(
            fs::read_to_string(&private).unwrap().starts_with(HEADER),
            "and it was replaced"
        );

        let shared = dir.path().join("shared.csv");
        fs::write(&shared, "old").unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o640)).unwrap();
        export_csv_to_path(&[full()], &shared, &CsvOptions::default()).unwrap();
        assert_eq!(
            mode(&shared),
            "640",
            "the replaced file's mode is kept as it was"
        );

        let new = dir.path().join("new.csv");
        export_csv_to_path(&[full()], &new, &CsvOptions::default()).unwrap();
        assert_eq!(
            mode(&new),
            "600",
            "a new export (connection data) is owner-only"
        );
    }

    #[test]
    fn ticket_text_is_readable_and_skips_absent_fields() {
        let t = ticket_text(&full());
        for want in [
            "Connection:    6a4d3c3e-0c1f-4d0e-9a35-2b6c1f0e0a11\n",
            "Start:         2024-03-02 10:00:00 UTC\n",
            "Duration:      1:02:02\n",
            "Supporter:     Jörg Müller (u123)\n",
            "Device:        PC-0001 (987654321)\n",
            "Type:          RemoteSupportActive\n",
            "Customer:      Anna <anna@example.com>\n",
            "Fee:           12.5 EUR\n",
        ] {
            assert!(
                t.contains(want),
                "ticket text should contain {want:?}:\n{t}"
            );
        }
        let mut r = rec(json!({"id": "x", "notes": "line one\nline two"}));
        r.username = Some("  ".into());
        let t = ticket_text(&r);
        assert_eq!(
            t, "Connection:    x\nNotes:         line one\n               line two\n",
            "absent and blank fields are left out; continuation lines are indented"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn arbitrary_text_round_trips(
            texts in proptest::collection::vec((any::<String>(), any::<String>()), 0..8),
            semicolon in any::<bool>(),
        ) {
            let records: Vec<ConnectionReport> = texts
                .iter()
                .enumerate()
                .map(|(i, (notes, device))| {
                    let mut r = rec(json!({"id": format!("p{i}")}));
                    r.notes = Some(notes.clone());
                    r.devicename = Some(device.clone());
                    r
                })
                .collect();
            let options = CsvOptions { delimiter: if semicolon { b';' } else { b',' }, bom: false };
            let mut out = Vec::new();
            let n = export_csv(&records, &mut out, &options).unwrap();
            prop_assert_eq!(n, records.len() as u64, "row count returned");
            let (_, rows) = read_back(&out, options.delimiter);
            prop_assert_eq!(rows.len(), records.len(), "row count read back");
            for ((notes, device), row) in texts.iter().zip(&rows) {
                prop_assert_eq!(&row[17], &escaped(notes), "notes read back");
                prop_assert_eq!(&row[7], &escaped(device), "devicename read back");
            }
        }

        /// A spreadsheet set to the other list separator (`;` for a `,` file and the other way
        /// round) splits the lines at it; none of the cells it then sees may start a formula.
        #[test]
        fn no_formula_cell_with_the_other_list_separator(
            texts in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        '=', '+', '-', '@', '\t', '\r', '\n', '\0', '"', ',', ';', ' ', 'a', '\'',
                    ]),
                    0..12,
                ),
                1..6,
            ),
            semicolon in any::<bool>(),
        ) {
            let records: Vec<ConnectionReport> = texts
                .iter()
                .enumerate()
                .map(|(i, chars)| {
                    let text: String = chars.iter().collect();
                    let mut r = rec(json!({"id": format!("p{i}")}));
                    r.username = Some(text.clone());
                    r.devicename = Some(text.chars().rev().collect());
                    r.notes = Some(format!("x{text}"));
                    r.contact_id = Some(text);
                    r
                })
                .collect();
            let (delimiter, other) = if semicolon { (b';', b',') } else { (b',', b';') };
            let mut out = Vec::new();
            export_csv(&records, &mut out, &CsvOptions { delimiter, bom: false }).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(other)
                .has_headers(false)
                .flexible(true)
                .from_reader(&out[..]);
            for row in reader.byte_records() {
                let row = row.unwrap();
                for cell in row.iter() {
                    let start = cell.iter().position(|b| !matches!(b, b'\r' | b'\n'));
                    let first = start.map(|i| cell[i]);
                    prop_assert!(
                        !matches!(first, Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\0')),
                        "read with {:?}, the cell {:?} starts a formula in\n{:?}",
                        char::from(other),
                        String::from_utf8_lossy(cell),
                        String::from_utf8_lossy(&out)
                    );
                }
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn exporting_to_a_device_writes_through_it_instead_of_replacing_it() {
    use std::os::unix::fs::FileTypeExt;
    let before = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(
        before.is_char_device(),
        "precondition: /dev/null is a device"
    );
    let n = sdesk_core::logs::export_csv_to_path(
        std::iter::empty::<&sdesk_core::models::ConnectionReport>(),
        "/dev/null",
        &sdesk_core::logs::CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(n, 0);
    let after = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(
        after.is_char_device(),
        "an atomic rename over /dev/null would turn it into a plain file and break the machine"
    );
}
