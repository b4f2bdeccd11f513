-- The PostgreSQL form of migrations/sqlite/0003_consents.sql.

-- Consent to share (and a child's assent), and its withdrawal. Neither is ever changed or
-- removed: a withdrawal is its own row, so the record shows what held when.
CREATE TABLE consents (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    kind          TEXT NOT NULL,
    given_by      TEXT NOT NULL,
    relationship  TEXT NOT NULL,
    scope         TEXT NOT NULL,
    with_whom     TEXT NOT NULL,
    how           TEXT NOT NULL,
    given_on      TEXT NOT NULL,
    until         TEXT,
    recorded_by   TEXT NOT NULL REFERENCES users(id),
    recorded_at   BIGINT NOT NULL
);
CREATE INDEX consents_by_case ON consents (case_id, id);
CREATE TRIGGER consents_are_never_updated BEFORE UPDATE ON consents
FOR EACH ROW EXECUTE FUNCTION refuse_change('consents are never updated');
CREATE TRIGGER consents_are_never_deleted BEFORE DELETE ON consents
FOR EACH ROW EXECUTE FUNCTION refuse_change('consents are never deleted');

CREATE TABLE consent_withdrawals (
    consent_id    TEXT PRIMARY KEY REFERENCES consents(id),
    withdrawn_by  TEXT NOT NULL REFERENCES users(id),
    withdrawn_at  BIGINT NOT NULL,
    reason        TEXT NOT NULL
);
CREATE TRIGGER consent_withdrawals_are_never_updated BEFORE UPDATE ON consent_withdrawals
FOR EACH ROW EXECUTE FUNCTION refuse_change('consent withdrawals are never updated');
CREATE TRIGGER consent_withdrawals_are_never_deleted BEFORE DELETE ON consent_withdrawals
FOR EACH ROW EXECUTE FUNCTION refuse_change('consent withdrawals are never deleted');
