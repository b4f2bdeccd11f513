-- Every report or work list taken away as a file: who, when, which one, with which filters,
-- how many rows and in what format. An export is of many cases or none, so it has its own
-- log beside the per-case access log; like that log it is append-only.
CREATE TABLE export_log (
    id        TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users(id),
    service   TEXT NOT NULL,
    what      TEXT NOT NULL,
    filters   TEXT NOT NULL,
    format    TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX export_log_by_service ON export_log (service, id);
CREATE TRIGGER export_log_is_never_updated BEFORE UPDATE ON export_log
BEGIN SELECT RAISE(ABORT, 'the export log is append-only'); END;
CREATE TRIGGER export_log_is_never_deleted BEFORE DELETE ON export_log
BEGIN SELECT RAISE(ABORT, 'the export log is append-only'); END;
