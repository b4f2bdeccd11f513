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
    recorded_at   INTEGER NOT NULL
);
CREATE INDEX consents_by_case ON consents (case_id, id);
CREATE TRIGGER consents_are_never_updated BEFORE UPDATE ON consents
BEGIN SELECT RAISE(ABORT, 'consents are never updated'); END;
CREATE TRIGGER consents_are_never_deleted BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'consents are never deleted'); END;

CREATE TABLE consent_withdrawals (
    consent_id    TEXT PRIMARY KEY REFERENCES consents(id),
    withdrawn_by  TEXT NOT NULL REFERENCES users(id),
    withdrawn_at  INTEGER NOT NULL,
    reason        TEXT NOT NULL
);
CREATE TRIGGER consent_withdrawals_are_never_updated BEFORE UPDATE ON consent_withdrawals
BEGIN SELECT RAISE(ABORT, 'consent withdrawals are never updated'); END;
CREATE TRIGGER consent_withdrawals_are_never_deleted BEFORE DELETE ON consent_withdrawals
BEGIN SELECT RAISE(ABORT, 'consent withdrawals are never deleted'); END;
