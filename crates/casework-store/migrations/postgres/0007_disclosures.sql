-- The PostgreSQL form of migrations/sqlite/0007_disclosures.sql.

-- Disclosures (shares, referrals out, transfers, exports) with the basis each relied on, and
-- the flags added when the consent one relied on is withdrawn. Neither is ever changed or
-- removed: a flag is its own row, so the record shows what held when.
CREATE TABLE disclosures (
    id                      TEXT PRIMARY KEY,
    case_id                 TEXT NOT NULL REFERENCES cases(id),
    kind                    TEXT NOT NULL,
    recipient_organisation  TEXT NOT NULL,
    recipient_person        TEXT,
    sent_how                TEXT NOT NULL,
    summary                 TEXT NOT NULL,
    consent_id              TEXT REFERENCES consents(id),
    statutory_basis         TEXT,
    reason                  TEXT NOT NULL,
    export_sha256           TEXT,
    recorded_by             TEXT NOT NULL REFERENCES users(id),
    recorded_at             BIGINT NOT NULL,
    CHECK ((consent_id IS NULL) <> (statutory_basis IS NULL))
);
CREATE INDEX disclosures_by_case ON disclosures (case_id, id);
CREATE INDEX disclosures_by_consent ON disclosures (consent_id) WHERE consent_id IS NOT NULL;
CREATE TRIGGER disclosures_are_never_updated BEFORE UPDATE ON disclosures
FOR EACH ROW EXECUTE FUNCTION refuse_change('disclosures are never updated');
CREATE TRIGGER disclosures_are_never_deleted BEFORE DELETE ON disclosures
FOR EACH ROW EXECUTE FUNCTION refuse_change('disclosures are never deleted');

CREATE TABLE disclosure_flags (
    disclosure_id  TEXT PRIMARY KEY REFERENCES disclosures(id),
    consent_id     TEXT NOT NULL REFERENCES consents(id),
    withdrawn_at   BIGINT NOT NULL
);
CREATE TRIGGER disclosure_flags_are_never_updated BEFORE UPDATE ON disclosure_flags
FOR EACH ROW EXECUTE FUNCTION refuse_change('disclosure flags are never updated');
CREATE TRIGGER disclosure_flags_are_never_deleted BEFORE DELETE ON disclosure_flags
FOR EACH ROW EXECUTE FUNCTION refuse_change('disclosure flags are never deleted');
