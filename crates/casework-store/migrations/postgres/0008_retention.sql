-- The PostgreSQL form of migrations/sqlite/0008_retention.sql.

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
    placed_at  BIGINT NOT NULL
);
CREATE INDEX legal_holds_by_case ON legal_holds (case_id, id);

CREATE TABLE legal_hold_liftings (
    hold_id    TEXT PRIMARY KEY REFERENCES legal_holds(id),
    lifted_by  TEXT NOT NULL REFERENCES users(id),
    lifted_at  BIGINT NOT NULL,
    reason     TEXT NOT NULL
);

CREATE TABLE disposal_approvals (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id),
    approved_by TEXT NOT NULL REFERENCES users(id),
    approved_at BIGINT NOT NULL
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
    approved_at     BIGINT NOT NULL,
    destroyed_at    BIGINT NOT NULL,
    history_events  BIGINT NOT NULL,
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

-- Lets a row of a case (found by its `case_id`) be deleted while that case is being
-- destroyed, and otherwise refuses with the trigger's message, as refuse_change() does. This
-- is SQLite's `WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id =
-- OLD.case_id)`: a trigger's WHEN cannot hold a subquery here, so the function asks. Rows
-- that reach their case through another table have a function of their own below.
CREATE FUNCTION refuse_unless_disposing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id) THEN
        RAISE EXCEPTION '%', TG_ARGV[0];
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER legal_holds_are_never_updated BEFORE UPDATE ON legal_holds
FOR EACH ROW EXECUTE FUNCTION refuse_change('legal holds are never updated');
CREATE TRIGGER legal_holds_are_never_deleted BEFORE DELETE ON legal_holds
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('legal holds are never deleted');
CREATE TRIGGER legal_hold_liftings_are_never_updated BEFORE UPDATE ON legal_hold_liftings
FOR EACH ROW EXECUTE FUNCTION refuse_change('legal hold liftings are never updated');
CREATE FUNCTION legal_hold_liftings_are_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM disposals_in_progress d JOIN legal_holds h ON h.case_id = d.case_id WHERE h.id = OLD.hold_id) THEN
        RAISE EXCEPTION 'legal hold liftings are never deleted';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER legal_hold_liftings_are_never_deleted BEFORE DELETE ON legal_hold_liftings
FOR EACH ROW EXECUTE FUNCTION legal_hold_liftings_are_never_deleted();
CREATE TRIGGER destruction_records_are_never_updated BEFORE UPDATE ON destruction_records
FOR EACH ROW EXECUTE FUNCTION refuse_change('destruction records are never updated');
CREATE TRIGGER destruction_records_are_never_deleted BEFORE DELETE ON destruction_records
FOR EACH ROW EXECUTE FUNCTION refuse_change('destruction records are never deleted');
CREATE TRIGGER erased_events_are_never_updated BEFORE UPDATE ON erased_events
FOR EACH ROW EXECUTE FUNCTION refuse_change('erasures are never updated');
CREATE TRIGGER erased_events_are_never_deleted BEFORE DELETE ON erased_events
FOR EACH ROW EXECUTE FUNCTION refuse_change('erasures are never deleted');

-- The append-only tables of a case give way to its destruction, and to nothing else.
DROP TRIGGER notes_are_never_deleted ON notes;
CREATE TRIGGER notes_are_never_deleted BEFORE DELETE ON notes
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('notes are append-only');

DROP TRIGGER decisions_are_never_deleted ON decisions;
CREATE TRIGGER decisions_are_never_deleted BEFORE DELETE ON decisions
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('decisions are append-only');

DROP TRIGGER form_submissions_are_never_deleted ON form_submissions;
CREATE TRIGGER form_submissions_are_never_deleted BEFORE DELETE ON form_submissions
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('form submissions are append-only');

DROP TRIGGER plan_reviews_are_never_deleted ON plan_reviews;
CREATE TRIGGER plan_reviews_are_never_deleted BEFORE DELETE ON plan_reviews
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('plan reviews are append-only');

DROP TRIGGER events_are_never_deleted ON events;
CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('history is append-only');

-- An event may change once, and only to have its details erased after being listed in
-- `erased_events`; who did what, when, to which record stays.
DROP TRIGGER events_are_never_updated ON events;
CREATE FUNCTION events_are_never_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- As SQLite's WHEN: a condition that comes out NULL refuses nothing.
    IF NOT (
        EXISTS (SELECT 1 FROM erased_events x WHERE x.event_id = OLD.id)
        AND NEW.before = 'null' AND NEW.after = 'null'
        AND NEW.id = OLD.id AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id AND NEW.actor_id = OLD.actor_id
        AND NEW.at = OLD.at AND NEW.kind = OLD.kind AND NEW.subject_type = OLD.subject_type
        AND NEW.subject_id = OLD.subject_id
    ) THEN
        RAISE EXCEPTION 'history is append-only';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
FOR EACH ROW EXECUTE FUNCTION events_are_never_updated();

DROP TRIGGER event_chain_is_never_deleted ON event_chain;
CREATE FUNCTION event_chain_is_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.chain) THEN
        RAISE EXCEPTION 'the history chain is append-only';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER event_chain_is_never_deleted BEFORE DELETE ON event_chain
FOR EACH ROW EXECUTE FUNCTION event_chain_is_never_deleted();

DROP TRIGGER access_log_is_never_deleted ON access_log;
CREATE TRIGGER access_log_is_never_deleted BEFORE DELETE ON access_log
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('the access log is append-only');

DROP TRIGGER consents_are_never_deleted ON consents;
CREATE TRIGGER consents_are_never_deleted BEFORE DELETE ON consents
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('consents are never deleted');

DROP TRIGGER consent_withdrawals_are_never_deleted ON consent_withdrawals;
CREATE FUNCTION consent_withdrawals_are_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM disposals_in_progress d JOIN consents c ON c.case_id = d.case_id WHERE c.id = OLD.consent_id) THEN
        RAISE EXCEPTION 'consent withdrawals are never deleted';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER consent_withdrawals_are_never_deleted BEFORE DELETE ON consent_withdrawals
FOR EACH ROW EXECUTE FUNCTION consent_withdrawals_are_never_deleted();

DROP TRIGGER break_glass_is_never_deleted ON break_glass;
CREATE TRIGGER break_glass_is_never_deleted BEFORE DELETE ON break_glass
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('break-glass grants are never deleted');

DROP TRIGGER disclosures_are_never_deleted ON disclosures;
CREATE TRIGGER disclosures_are_never_deleted BEFORE DELETE ON disclosures
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('disclosures are never deleted');

DROP TRIGGER disclosure_flags_are_never_deleted ON disclosure_flags;
CREATE FUNCTION disclosure_flags_are_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM disposals_in_progress d JOIN disclosures x ON x.case_id = d.case_id WHERE x.id = OLD.disclosure_id) THEN
        RAISE EXCEPTION 'disclosure flags are never deleted';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER disclosure_flags_are_never_deleted BEFORE DELETE ON disclosure_flags
FOR EACH ROW EXECUTE FUNCTION disclosure_flags_are_never_deleted();

DROP TRIGGER documents_are_never_deleted ON documents;
CREATE TRIGGER documents_are_never_deleted BEFORE DELETE ON documents
FOR EACH ROW EXECUTE FUNCTION refuse_unless_disposing('documents are never deleted');
