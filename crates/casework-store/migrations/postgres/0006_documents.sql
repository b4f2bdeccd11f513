-- The PostgreSQL form of migrations/sqlite/0006_documents.sql.

-- Documents on a case: uploaded files (stored outside the database under the generated name
-- in `object`, checked by size and SHA-256 when read back), redacted copies linked to their
-- original, and paper documents recorded with where they are kept. A document is never
-- changed or removed here; a retention job will get its own controlled path.
CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id),
    title           TEXT NOT NULL,
    classification  TEXT NOT NULL CHECK (classification IN ('normal', 'restricted', 'do-not-disclose')),
    third_party     BIGINT NOT NULL CHECK (third_party IN (0, 1)),
    redacts         TEXT REFERENCES documents(id),
    object          TEXT UNIQUE,
    media_type      TEXT,
    size            BIGINT,
    sha256          TEXT,
    file_name       TEXT,
    location        TEXT,
    received_on     TEXT,
    added_by        TEXT NOT NULL REFERENCES users(id),
    added_at        BIGINT NOT NULL,
    -- Either a stored file with everything needed to check it, or paper with where it is.
    CHECK ((object IS NOT NULL AND media_type IS NOT NULL AND size IS NOT NULL AND sha256 IS NOT NULL
            AND file_name IS NOT NULL AND location IS NULL AND received_on IS NULL)
        OR (object IS NULL AND media_type IS NULL AND size IS NULL AND sha256 IS NULL AND file_name IS NULL
            AND location IS NOT NULL AND received_on IS NOT NULL AND redacts IS NULL))
);
CREATE INDEX documents_by_case ON documents (case_id, id);
CREATE TRIGGER documents_are_never_updated BEFORE UPDATE ON documents
FOR EACH ROW EXECUTE FUNCTION refuse_change('documents are never updated');
CREATE TRIGGER documents_are_never_deleted BEFORE DELETE ON documents
FOR EACH ROW EXECUTE FUNCTION refuse_change('documents are never deleted');
