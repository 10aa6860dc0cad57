-- Schema 3 (SQLite): a covering index for billing and insight (issue 10). Their read of a period
-- takes twelve columns of every record in it (Archive::billing_records); through
-- reports_by_start each row is then looked up in the table, whose rows hold the record's JSON
-- (1.4 GB for 1,000,000 records). With every column it needs in the index the read stays in
-- the index (about 210 MB for 1,000,000 records): measured in bench/README.md (issue 10,
-- ledger), about a third less time for a year of 1,000,000 records.
CREATE INDEX reports_billing ON reports (
    start_date, id, end_date, userid, username, groupid, groupname,
    end_customer_email, end_customer_name, devicename, deviceid, billing_state
);
