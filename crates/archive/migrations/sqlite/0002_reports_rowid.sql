-- Schema 2 (SQLite): `reports` becomes an ordinary rowid table with a unique index on `id`.
--
-- Schema 1 stored it WITHOUT ROWID, i.e. as one B-tree keyed by the random UUID ids. Its rows
-- (typed columns, search text and the record's JSON, 2-3 KB) are far larger than such a tree's
-- cells can hold, so every insert split pages at random places and spilled into overflow
-- pages: a first sync of 100,000 records wrote several times the data it stored. A rowid table
-- appends rows in arrival order and only the small `id` index is updated at random places.
CREATE TABLE reports_v2 (
    id                   TEXT NOT NULL,
    userid               TEXT,
    username             TEXT,
    contact_id           TEXT,
    deviceid             TEXT,
    devicename           TEXT,
    groupid              TEXT,
    groupname            TEXT,
    support_session_type TEXT,
    start_date           TEXT,
    end_date             TEXT,
    fee                  REAL,
    currency             TEXT,
    billing_state        TEXT,
    notes                TEXT,
    session_code         TEXT,
    session_created_at   TEXT,
    valid_until          TEXT,
    assigned_userid      TEXT,
    assigned_at          TEXT,
    session_note         TEXT,
    custom_api           TEXT,
    end_customer_name    TEXT,
    end_customer_email   TEXT,
    feedback_rating      INTEGER,
    feedback_comment     TEXT,
    search_text          TEXT NOT NULL,
    record_json          TEXT NOT NULL,
    first_synced_at      TEXT NOT NULL,
    last_changed_at      TEXT NOT NULL
);

INSERT INTO reports_v2 SELECT * FROM reports ORDER BY first_synced_at, id;
DROP TABLE reports;
ALTER TABLE reports_v2 RENAME TO reports;

CREATE UNIQUE INDEX reports_by_id ON reports (id);
CREATE INDEX reports_by_start ON reports (start_date, id);
CREATE INDEX reports_by_userid ON reports (userid);
CREATE INDEX reports_by_session_code ON reports (session_code);
