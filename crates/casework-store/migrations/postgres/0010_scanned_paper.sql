-- The PostgreSQL form of migrations/sqlite/0010_scanned_paper.sql.

-- Scanned paper: a file document may be the scan of a paper document, one scan each. Once the
-- scan has been kept for the service's period the paper original may be destroyed; that is
-- recorded beside the paper document, which stays as the record of what was received.
ALTER TABLE documents ADD COLUMN scans TEXT REFERENCES documents(id) CHECK (scans IS NULL OR object IS NOT NULL);
CREATE UNIQUE INDEX documents_one_scan_each ON documents (scans) WHERE scans IS NOT NULL;

CREATE TABLE paper_destructions (
    document_id  TEXT PRIMARY KEY REFERENCES documents(id),
    case_id      TEXT NOT NULL REFERENCES cases(id),
    destroyed_on TEXT NOT NULL,
    method       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL REFERENCES users(id),
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX paper_destructions_by_case ON paper_destructions (case_id);
CREATE TRIGGER paper_destructions_are_never_updated BEFORE UPDATE ON paper_destructions
FOR EACH ROW EXECUTE FUNCTION refuse_change('paper destructions are never updated');
CREATE TRIGGER paper_destructions_are_never_deleted BEFORE DELETE ON paper_destructions
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('paper destructions are never deleted');
