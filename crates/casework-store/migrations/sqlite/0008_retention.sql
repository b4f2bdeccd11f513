-- Retention: legal holds, approvals for destruction, and the record each destruction leaves.
-- Facts stay append-only. The one way to remove a case's rows is the destruction job: it
-- names the case in `disposals_in_progress` inside its own transaction and clears the row
-- again before committing, and only while that row exists do the delete triggers below let
-- the case's rows go.

CREATE TABLE legal_holds (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    reason     TEXT NOT NULL,
    placed_by  TEXT NOT NULL REFERENCES users(id),
    placed_at  INTEGER NOT NULL
);
CREATE INDEX legal_holds_by_case ON legal_holds (case_id, id);

CREATE TABLE legal_hold_liftings (
    hold_id    TEXT PRIMARY KEY REFERENCES legal_holds(id),
    lifted_by  TEXT NOT NULL REFERENCES users(id),
    lifted_at  INTEGER NOT NULL,
    reason     TEXT NOT NULL
);

CREATE TABLE disposal_approvals (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id),
    approved_by TEXT NOT NULL REFERENCES users(id),
    approved_at INTEGER NOT NULL
);

-- What was destroyed, when and under which rule: a reference and counts, nothing about the
-- person. The history of the case ends in `history_head`, so a copy of it can be checked.
CREATE TABLE destruction_records (
    id              TEXT PRIMARY KEY,
    service         TEXT NOT NULL,
    reference       TEXT NOT NULL,
    record          TEXT NOT NULL,
    kept_for        TEXT NOT NULL,
    basis           TEXT NOT NULL,
    closed_on       TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    approved_by     TEXT NOT NULL REFERENCES users(id),
    approved_at     INTEGER NOT NULL,
    destroyed_at    INTEGER NOT NULL,
    history_events  INTEGER NOT NULL,
    history_head    TEXT NOT NULL,
    removed         TEXT NOT NULL
);
CREATE INDEX destruction_records_by_service ON destruction_records (service, id);

-- History events outside the destroyed case's own chain that held the person's details
-- (their record, the referral): the details are erased and the event stays in its chain,
-- which `casework verify` then follows by the stored hash.
CREATE TABLE erased_events (
    event_id       TEXT PRIMARY KEY REFERENCES events(id),
    -- Written before the destruction record, which is only complete once the rows are gone.
    destruction_id TEXT NOT NULL REFERENCES destruction_records(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE disposals_in_progress (
    case_id TEXT PRIMARY KEY
);

CREATE TRIGGER legal_holds_are_never_updated BEFORE UPDATE ON legal_holds
BEGIN SELECT RAISE(ABORT, 'legal holds are never updated'); END;
CREATE TRIGGER legal_holds_are_never_deleted BEFORE DELETE ON legal_holds
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'legal holds are never deleted'); END;
CREATE TRIGGER legal_hold_liftings_are_never_updated BEFORE UPDATE ON legal_hold_liftings
BEGIN SELECT RAISE(ABORT, 'legal hold liftings are never updated'); END;
CREATE TRIGGER legal_hold_liftings_are_never_deleted BEFORE DELETE ON legal_hold_liftings
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d JOIN legal_holds h ON h.case_id = d.case_id WHERE h.id = OLD.hold_id)
BEGIN SELECT RAISE(ABORT, 'legal hold liftings are never deleted'); END;
CREATE TRIGGER destruction_records_are_never_updated BEFORE UPDATE ON destruction_records
BEGIN SELECT RAISE(ABORT, 'destruction records are never updated'); END;
CREATE TRIGGER destruction_records_are_never_deleted BEFORE DELETE ON destruction_records
BEGIN SELECT RAISE(ABORT, 'destruction records are never deleted'); END;
CREATE TRIGGER erased_events_are_never_updated BEFORE UPDATE ON erased_events
BEGIN SELECT RAISE(ABORT, 'erasures are never updated'); END;
CREATE TRIGGER erased_events_are_never_deleted BEFORE DELETE ON erased_events
BEGIN SELECT RAISE(ABORT, 'erasures are never deleted'); END;

-- The append-only tables of a case give way to its destruction, and to nothing else.
DROP TRIGGER notes_are_never_deleted;
CREATE TRIGGER notes_are_never_deleted BEFORE DELETE ON notes
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;

DROP TRIGGER decisions_are_never_deleted;
CREATE TRIGGER decisions_are_never_deleted BEFORE DELETE ON decisions
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

DROP TRIGGER form_submissions_are_never_deleted;
CREATE TRIGGER form_submissions_are_never_deleted BEFORE DELETE ON form_submissions
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'form submissions are append-only'); END;

DROP TRIGGER plan_reviews_are_never_deleted;
CREATE TRIGGER plan_reviews_are_never_deleted BEFORE DELETE ON plan_reviews
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'plan reviews are append-only'); END;

DROP TRIGGER events_are_never_deleted;
CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

-- An event may change once, and only to have its details erased after being listed in
-- `erased_events`; who did what, when, to which record stays.
DROP TRIGGER events_are_never_updated;
CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
WHEN NOT (
    EXISTS (SELECT 1 FROM erased_events x WHERE x.event_id = OLD.id)
    AND NEW.before = 'null' AND NEW.after = 'null'
    AND NEW.id = OLD.id AND NEW.case_id IS OLD.case_id AND NEW.actor_id = OLD.actor_id AND NEW.at = OLD.at
    AND NEW.kind = OLD.kind AND NEW.subject_type = OLD.subject_type AND NEW.subject_id = OLD.subject_id
)
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

DROP TRIGGER event_chain_is_never_deleted;
CREATE TRIGGER event_chain_is_never_deleted BEFORE DELETE ON event_chain
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.chain)
BEGIN SELECT RAISE(ABORT, 'the history chain is append-only'); END;

DROP TRIGGER access_log_is_never_deleted;
CREATE TRIGGER access_log_is_never_deleted BEFORE DELETE ON access_log
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;

DROP TRIGGER consents_are_never_deleted;
CREATE TRIGGER consents_are_never_deleted BEFORE DELETE ON consents
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'consents are never deleted'); END;

DROP TRIGGER consent_withdrawals_are_never_deleted;
CREATE TRIGGER consent_withdrawals_are_never_deleted BEFORE DELETE ON consent_withdrawals
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d JOIN consents c ON c.case_id = d.case_id WHERE c.id = OLD.consent_id)
BEGIN SELECT RAISE(ABORT, 'consent withdrawals are never deleted'); END;

DROP TRIGGER break_glass_is_never_deleted;
CREATE TRIGGER break_glass_is_never_deleted BEFORE DELETE ON break_glass
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'break-glass grants are never deleted'); END;

DROP TRIGGER disclosures_are_never_deleted;
CREATE TRIGGER disclosures_are_never_deleted BEFORE DELETE ON disclosures
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'disclosures are never deleted'); END;

DROP TRIGGER disclosure_flags_are_never_deleted;
CREATE TRIGGER disclosure_flags_are_never_deleted BEFORE DELETE ON disclosure_flags
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d JOIN disclosures x ON x.case_id = d.case_id WHERE x.id = OLD.disclosure_id)
BEGIN SELECT RAISE(ABORT, 'disclosure flags are never deleted'); END;

DROP TRIGGER documents_are_never_deleted;
CREATE TRIGGER documents_are_never_deleted BEFORE DELETE ON documents
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'documents are never deleted'); END;
