-- Schema 2 rebuilt SQLite's `reports` as a rowid table (see migrations/sqlite/0002); PostgreSQL's
-- tables are heaps with a primary-key index already, so nothing changes here.
SELECT 1;
