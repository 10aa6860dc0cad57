-- Schema 1 of the connection-log archive (SQLite). Timestamps are TEXT in one fixed-width UTC
-- format (YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ), so text order is time order.

-- One row per connection report, keyed by the API's id. The typed columns serve queries; the
-- record's full JSON as the API sent it (keys sorted) is kept in record_json, so nothing the API
-- sends is lost, including fields this version does not know.
CREATE TABLE reports (
    id                   TEXT PRIMARY KEY NOT NULL,
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
    -- Lowercased text of the searchable fields, for the free-text filter.
    search_text          TEXT NOT NULL,
    record_json          TEXT NOT NULL,
    first_synced_at      TEXT NOT NULL,
    last_changed_at      TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX reports_by_start ON reports (start_date, id);
CREATE INDEX reports_by_userid ON reports (userid);
CREATE INDEX reports_by_session_code ON reports (session_code);

-- The one sync run of the archive: its query window and cursor are committed together with each
-- page, so a run that was killed continues where it stopped.
CREATE TABLE sync_state (
    id               INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    run_id           TEXT NOT NULL,
    mode             TEXT NOT NULL,
    from_date        TEXT,
    cursor           TEXT,
    pages            INTEGER NOT NULL DEFAULT 0,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    last_finished_at TEXT
);

-- Local edits of notes and billing state, kept until they were sent to TeamViewer (and after:
-- sent_at marks them).
CREATE TABLE pending_edits (
    edit_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id     TEXT NOT NULL,
    notes         TEXT,
    billing_state TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT
);

CREATE INDEX pending_edits_unsent ON pending_edits (sent_at, edit_id);
