-- The PostgreSQL form of migrations/sqlite/0009_subject_access.sql.

-- Subject access requests: a person asking a service for everything it holds about them.
-- A request changes as it is worked (identity confirmed, deadline extended, answered or
-- refused), each change conditional on the version the caller saw and recorded in the
-- history; it is never deleted, and the person it names is kept while it exists.
CREATE TABLE subject_access_requests (
    id                    TEXT PRIMARY KEY,
    reference             TEXT NOT NULL UNIQUE,
    service               TEXT NOT NULL REFERENCES services(code),
    person_id             TEXT NOT NULL REFERENCES people(id),
    representative        TEXT,
    received_on           TEXT NOT NULL,
    identity_confirmed_on TEXT,
    include_access_log    BIGINT NOT NULL,
    details               TEXT,
    status                TEXT NOT NULL CHECK (status IN ('awaiting-identity', 'open', 'completed', 'refused')),
    extended_on           TEXT,
    extension_reason      TEXT,
    response_sent_on      TEXT,
    response_sha256       TEXT,
    refused_on            TEXT,
    refusal_reason        TEXT,
    recorded_by           TEXT NOT NULL REFERENCES users(id),
    recorded_at           BIGINT NOT NULL,
    version               BIGINT NOT NULL
);
CREATE INDEX subject_access_requests_by_service ON subject_access_requests (service, status, id);
CREATE INDEX subject_access_requests_by_person ON subject_access_requests (person_id);
CREATE TRIGGER subject_access_requests_are_never_deleted BEFORE DELETE ON subject_access_requests
FOR EACH ROW EXECUTE FUNCTION refuse_change('subject access requests are never deleted');

-- Each bundle made for a request, with the SHA-256 of exactly what was served.
CREATE TABLE subject_access_exports (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES subject_access_requests(id),
    sha256      TEXT NOT NULL,
    cases       BIGINT NOT NULL,
    exported_by TEXT NOT NULL REFERENCES users(id),
    exported_at BIGINT NOT NULL
);
CREATE INDEX subject_access_exports_by_request ON subject_access_exports (request_id, id);
CREATE TRIGGER subject_access_exports_are_never_updated BEFORE UPDATE ON subject_access_exports
FOR EACH ROW EXECUTE FUNCTION refuse_change('subject access exports are never updated');
CREATE TRIGGER subject_access_exports_are_never_deleted BEFORE DELETE ON subject_access_exports
FOR EACH ROW EXECUTE FUNCTION refuse_change('subject access exports are never deleted');
