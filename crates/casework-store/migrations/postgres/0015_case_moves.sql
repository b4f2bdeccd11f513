-- The PostgreSQL form of migrations/sqlite/0015_case_moves.sql.

-- The moves of every case the reports follow: each stage it entered (on opening, on a
-- stage change, on a move to a new version of the service's definition), each closing
-- with its reason, each reopening. It is derived from the history, like an index: the
-- events stay the record, and triggers keep this table in step with them, so nothing else
-- ever writes here. A report reads a few moves a case by service and time instead of
-- walking every event of every case of the service.
CREATE TABLE case_moves (
    event_id TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases(id),
    service  TEXT NOT NULL,
    at       BIGINT NOT NULL,
    -- 'stage' (`stage` says which), 'closed' (`reason` says why, when the event does) or 'reopened'.
    kind     TEXT NOT NULL CHECK (kind IN ('stage', 'closed', 'reopened')),
    stage    TEXT,
    reason   TEXT
);
CREATE INDEX case_moves_by_service ON case_moves (service, at);
CREATE INDEX case_moves_by_case ON case_moves (case_id, at);

-- An event opening a case, changing its stage or its service's version counts as a move
-- only when it names the stage the case is in after it.
CREATE FUNCTION case_moves_follow_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    details jsonb := NEW.after::jsonb;
BEGIN
    INSERT INTO case_moves (event_id, case_id, service, at, kind, stage, reason)
    SELECT NEW.id, c.id, c.service, NEW.at,
        CASE NEW.kind WHEN 'case-closed' THEN 'closed' WHEN 'case-reopened' THEN 'reopened' ELSE 'stage' END,
        CASE WHEN NEW.kind NOT IN ('case-closed', 'case-reopened') THEN details ->> 'stage' END,
        CASE WHEN NEW.kind = 'case-closed' AND jsonb_typeof(details -> 'reason') = 'string' THEN details ->> 'reason' END
    FROM cases c
    WHERE c.id = NEW.case_id
    AND (NEW.kind IN ('case-closed', 'case-reopened') OR jsonb_typeof(details -> 'stage') = 'string');
    RETURN NULL;
END
$$;
CREATE TRIGGER case_moves_follow_history AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.kind IN ('case-opened', 'stage-changed', 'service-version-changed', 'case-closed', 'case-reopened'))
EXECUTE FUNCTION case_moves_follow_history();

-- A destroyed case's events take its moves with them.
CREATE FUNCTION destroyed_events_leave_case_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM case_moves WHERE event_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER destroyed_events_leave_case_moves AFTER DELETE ON events
FOR EACH ROW WHEN (OLD.kind IN ('case-opened', 'stage-changed', 'service-version-changed', 'case-closed', 'case-reopened'))
EXECUTE FUNCTION destroyed_events_leave_case_moves();

-- The moves of the history written before this table existed.
INSERT INTO case_moves (event_id, case_id, service, at, kind, stage, reason)
SELECT e.id, c.id, c.service, e.at,
    CASE e.kind WHEN 'case-closed' THEN 'closed' WHEN 'case-reopened' THEN 'reopened' ELSE 'stage' END,
    CASE WHEN e.kind NOT IN ('case-closed', 'case-reopened') THEN e.after::jsonb ->> 'stage' END,
    CASE WHEN e.kind = 'case-closed' AND jsonb_typeof(e.after::jsonb -> 'reason') = 'string' THEN e.after::jsonb ->> 'reason' END
FROM events e JOIN cases c ON c.id = e.case_id
WHERE e.kind IN ('case-closed', 'case-reopened')
OR (e.kind IN ('case-opened', 'stage-changed', 'service-version-changed') AND jsonb_typeof(e.after::jsonb -> 'stage') = 'string');
