-- The PostgreSQL form of migrations/sqlite/0005_restricted.sql.

-- Restricted and shielded cases: the case's restriction, its access list (named users and
-- roles of its service) and break-glass access. The access list is the case's current
-- state (its changes are in the history); break-glass grants are facts, never changed.
ALTER TABLE cases ADD COLUMN restriction TEXT NOT NULL DEFAULT 'none';

CREATE TABLE case_access (
    case_id  TEXT NOT NULL REFERENCES cases(id),
    -- 'user' (name is a user id) or 'role' (name is a role code of the case's service)
    kind     TEXT NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, name)
);

CREATE TABLE break_glass (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    reason      TEXT NOT NULL,
    details     TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX break_glass_by_case ON break_glass (case_id, user_id, expires_at);
CREATE TRIGGER break_glass_is_never_updated BEFORE UPDATE ON break_glass
FOR EACH ROW EXECUTE FUNCTION refuse_change('break-glass grants are never updated');
CREATE TRIGGER break_glass_is_never_deleted BEFORE DELETE ON break_glass
FOR EACH ROW EXECUTE FUNCTION refuse_change('break-glass grants are never deleted');

-- Why a case was looked at, when it was by break-glass: the reason and what was said.
ALTER TABLE access_log ADD COLUMN why TEXT;
