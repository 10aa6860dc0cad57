-- Schema 3 made a covering index for billing on SQLite (see migrations/sqlite/0003). PostgreSQL
-- gets none: an index entry there is limited to about 2.7 KB, and these columns hold server text
-- of any length (a long user or group name would make the sync of that record fail); its billing
-- read is a range of reports_by_start as before.
SELECT 1;
