-- Schema 1 of the connection-log archive (PostgreSQL): the same tables and columns as the SQLite
-- schema, with native timestamp types.

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
    start_date           TIMESTAMPTZ,
    end_date             TIMESTAMPTZ,
    fee                  DOUBLE PRECISION,
    currency             TEXT,
    billing_state        TEXT,
    notes                TEXT,
    session_code         TEXT,
    session_created_at   TIMESTAMPTZ,
    valid_until          TIMESTAMPTZ,
    assigned_userid      TEXT,
    assigned_at          TIMESTAMPTZ,
    session_note         TEXT,
    custom_api           TEXT,
    end_customer_name    TEXT,
    end_customer_email   TEXT,
    feedback_rating      BIGINT,
    feedback_comment     TEXT,
    search_text          TEXT NOT NULL,
    record_json          TEXT NOT NULL,
    first_synced_at      TIMESTAMPTZ NOT NULL,
    last_changed_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX reports_by_start ON reports (start_date, id);
CREATE INDEX reports_by_userid ON reports (userid);
CREATE INDEX reports_by_session_code ON reports (session_code);

CREATE TABLE sync_state (
    id               INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    run_id           TEXT NOT NULL,
    mode             TEXT NOT NULL,
    from_date        TIMESTAMPTZ,
    cursor           TEXT,
    pages            BIGINT NOT NULL DEFAULT 0,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    last_finished_at TIMESTAMPTZ
);

CREATE TABLE pending_edits (
    edit_id       BIGSERIAL PRIMARY KEY,
    report_id     TEXT NOT NULL,
    notes         TEXT,
    billing_state TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    sent_at       TIMESTAMPTZ
);

CREATE INDEX pending_edits_unsent ON pending_edits (sent_at, edit_id);
