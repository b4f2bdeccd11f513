-- The PostgreSQL form of migrations/sqlite/0001_core.sql.

-- The core model. Instants are microseconds since the Unix epoch (BIGINT), dates are
-- 'YYYY-MM-DD' text, identifiers are UUIDv7 text, structured values are JSON text: the same
-- representation on every backend, so query text can be shared. Flags are 0/1 BIGINTs, not
-- booleans, for the same reason.

-- SQLite's RAISE(ABORT, message) in a BEFORE trigger: the statement fails with the message
-- the trigger is given. Append-only tables refuse their changes with it. (Unlike SQLite's
-- ABORT, which undoes just the statement, an error here fails the whole transaction.)
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A service and the version of its definition that new cases get.
CREATE TABLE services (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    reference_prefix TEXT NOT NULL,
    current_version  BIGINT NOT NULL
);

-- Every definition a service has had. A case keeps the version it was opened under until it
-- is moved on explicitly, so old versions stay here for as long as any case uses them.
CREATE TABLE service_versions (
    service    TEXT NOT NULL REFERENCES services(code),
    version    BIGINT NOT NULL,
    definition TEXT NOT NULL,
    digest     TEXT NOT NULL,
    loaded_at  BIGINT NOT NULL,
    PRIMARY KEY (service, version)
);

-- One-off bank holidays imported from published data (e.g. a new jubilee), beyond what
-- the rules give; every service's working days skip them.
CREATE TABLE imported_holidays (
    nation TEXT NOT NULL,
    date   TEXT NOT NULL,
    name   TEXT NOT NULL,
    PRIMARY KEY (nation, date)
);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    administrator       BIGINT NOT NULL DEFAULT 0,
    disabled            BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    service    TEXT NOT NULL REFERENCES services(code),
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (service, name)
);

CREATE TABLE user_roles (
    user_id    TEXT NOT NULL REFERENCES users(id),
    service    TEXT NOT NULL REFERENCES services(code),
    role       TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, service, role)
);

CREATE TABLE team_members (
    team_id  TEXT NOT NULL REFERENCES teams(id),
    user_id  TEXT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id);

-- Browser sessions. Only a hash of the cookie value is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    last_used_at BIGINT
);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_by_name ON login_failures (username, at);

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    known_as      TEXT,
    date_of_birth TEXT,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX people_by_name ON people (family_name, given_name);

CREATE TABLE person_identifiers (
    person_id TEXT NOT NULL REFERENCES people(id),
    kind      TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (person_id, kind),
    UNIQUE (kind, value)
);

CREATE TABLE person_relationships (
    person_id         TEXT NOT NULL REFERENCES people(id),
    related_person_id TEXT NOT NULL REFERENCES people(id),
    kind              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    PRIMARY KEY (person_id, related_person_id, kind)
);

CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE referrals (
    id          TEXT PRIMARY KEY,
    service     TEXT NOT NULL REFERENCES services(code),
    person_id   TEXT NOT NULL REFERENCES people(id),
    source      TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    summary     TEXT NOT NULL,
    forms       TEXT NOT NULL,
    previous_id TEXT REFERENCES referrals(id),
    outcome     TEXT NOT NULL,
    case_id     TEXT,
    reason      TEXT,
    explanation TEXT,
    decided_by  TEXT REFERENCES users(id),
    decided_at  BIGINT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX referrals_by_service ON referrals (service, outcome, id);
CREATE INDEX referrals_by_person ON referrals (person_id);

CREATE TABLE reference_counters (
    service     TEXT NOT NULL,
    year        BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (service, year)
);

CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    reference      TEXT NOT NULL UNIQUE,
    service        TEXT NOT NULL REFERENCES services(code),
    service_version BIGINT NOT NULL,
    person_id      TEXT NOT NULL REFERENCES people(id),
    referral_id    TEXT NOT NULL REFERENCES referrals(id),
    stage          TEXT NOT NULL,
    level          TEXT,
    status         TEXT NOT NULL,
    closure_reason TEXT,
    closed_at      BIGINT,
    closed_by      TEXT REFERENCES users(id),
    worker_id      TEXT REFERENCES users(id),
    team_id        TEXT REFERENCES teams(id),
    opened_at      BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL
);
CREATE INDEX cases_by_service ON cases (service, status, id);
CREATE INDEX cases_by_worker ON cases (worker_id, status, id);
CREATE INDEX cases_by_team ON cases (team_id, status, id);
CREATE INDEX cases_by_person ON cases (person_id);

CREATE TABLE case_flags (
    case_id TEXT NOT NULL REFERENCES cases(id),
    flag    TEXT NOT NULL,
    set_by  TEXT NOT NULL REFERENCES users(id),
    set_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, flag)
);
CREATE INDEX case_flags_by_flag ON case_flags (flag, case_id);

CREATE TABLE case_key_dates (
    case_id  TEXT NOT NULL REFERENCES cases(id),
    key_date TEXT NOT NULL,
    date     TEXT NOT NULL,
    PRIMARY KEY (case_id, key_date)
);

CREATE TABLE case_links (
    case_id       TEXT NOT NULL REFERENCES cases(id),
    other_case_id TEXT NOT NULL REFERENCES cases(id),
    kind          TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (case_id, other_case_id, kind)
);
CREATE INDEX case_links_by_other ON case_links (other_case_id);

-- Notes are never changed: corrections are new rows pointing at the original.
CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    contact_at  BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users(id),
    addendum_to TEXT REFERENCES notes(id),
    late_entry  BIGINT NOT NULL
);
CREATE INDEX notes_by_case ON notes (case_id, id);
CREATE TRIGGER notes_are_never_updated BEFORE UPDATE ON notes
FOR EACH ROW EXECUTE FUNCTION refuse_change('notes are append-only');
CREATE TRIGGER notes_are_never_deleted BEFORE DELETE ON notes
FOR EACH ROW EXECUTE FUNCTION refuse_change('notes are append-only');

CREATE TABLE tasks (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    title         TEXT NOT NULL,
    assignee_type TEXT NOT NULL,
    assignee      TEXT NOT NULL,
    due_on        TEXT,
    status        TEXT NOT NULL,
    ended_by      TEXT REFERENCES users(id),
    ended_at      BIGINT,
    end_note      TEXT,
    created_by    TEXT NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL
);
CREATE INDEX tasks_by_case ON tasks (case_id, id);
CREATE INDEX tasks_by_assignee ON tasks (assignee_type, assignee, status, due_on);

CREATE TABLE decisions (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    outcome     TEXT NOT NULL,
    body_id     TEXT REFERENCES organisations(id),
    reason_list TEXT NOT NULL,
    reason      TEXT NOT NULL,
    rationale   TEXT,
    decided_by  TEXT NOT NULL REFERENCES users(id),
    decided_at  BIGINT NOT NULL
);
CREATE INDEX decisions_by_case ON decisions (case_id, id);
CREATE TRIGGER decisions_are_never_updated BEFORE UPDATE ON decisions
FOR EACH ROW EXECUTE FUNCTION refuse_change('decisions are append-only');
CREATE TRIGGER decisions_are_never_deleted BEFORE DELETE ON decisions
FOR EACH ROW EXECUTE FUNCTION refuse_change('decisions are append-only');

-- Forms filled in on a case (assessments, screenings, reviews). A form filled in again is a
-- new row; the earlier answers stay as they were.
CREATE TABLE form_submissions (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    form         TEXT NOT NULL,
    answers      TEXT NOT NULL,
    completed_by TEXT NOT NULL,
    score        BIGINT,
    band         TEXT,
    submitted_by TEXT NOT NULL REFERENCES users(id),
    submitted_at BIGINT NOT NULL
);
CREATE INDEX form_submissions_by_case ON form_submissions (case_id, id);
CREATE TRIGGER form_submissions_are_never_updated BEFORE UPDATE ON form_submissions
FOR EACH ROW EXECUTE FUNCTION refuse_change('form submissions are append-only');
CREATE TRIGGER form_submissions_are_never_deleted BEFORE DELETE ON form_submissions
FOR EACH ROW EXECUTE FUNCTION refuse_change('form submissions are append-only');

-- Each run of a deadline on a case. The timer itself is JSON (the domain's Timer); the
-- columns beside it are what the sweep and work lists search on. `running_due_at` is set only
-- while the timer runs, so the sweep reads just the timers that are due, however many
-- cases are open.
CREATE TABLE case_timers (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases(id),
    code           TEXT NOT NULL,
    state          TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    running_due_at BIGINT,
    timer          TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX case_timers_by_case ON case_timers (case_id, id);
CREATE INDEX case_timers_due ON case_timers (running_due_at) WHERE running_due_at IS NOT NULL;

-- Alert rules running on cases. `next_at` is set while the rule has more to fire, so the
-- sweep reads only what is due.
CREATE TABLE alert_schedules (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    rule        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    next_at     BIGINT,
    occurrences BIGINT NOT NULL
);
CREATE INDEX alert_schedules_by_case ON alert_schedules (case_id, rule);
CREATE INDEX alert_schedules_due ON alert_schedules (next_at) WHERE next_at IS NOT NULL;

-- Alerts and reminders for a role or a user about a case, shown from `fire_at` until
-- acknowledged. The unique key makes each occurrence of a rule fire once, whatever happens.
CREATE TABLE alerts (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases(id),
    service          TEXT NOT NULL,
    schedule_id      TEXT REFERENCES alert_schedules(id),
    occurrence       BIGINT NOT NULL,
    rule             TEXT,
    recipient_type   TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    message          TEXT NOT NULL,
    fire_at          BIGINT NOT NULL,
    created_by       TEXT NOT NULL REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    acknowledged_by  TEXT REFERENCES users(id),
    acknowledged_at  BIGINT,
    acknowledgement  TEXT REFERENCES notes(id),
    UNIQUE (schedule_id, occurrence)
);
CREATE INDEX alerts_for_recipient ON alerts (recipient_type, recipient, acknowledged_at, fire_at);
CREATE INDEX alerts_by_case ON alerts (case_id, id);

-- Care plans: when the plan started, the next review date (kept up to date as reviews are
-- recorded and the tier changes, so "due for review" is a simple query), objectives and reviews.
CREATE TABLE plans (
    case_id        TEXT PRIMARY KEY REFERENCES cases(id),
    started_on     TEXT NOT NULL,
    last_review_on TEXT,
    next_review_on TEXT
);
CREATE INDEX plans_by_next_review ON plans (next_review_on);

CREATE TABLE plan_objectives (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    description TEXT NOT NULL,
    measure     TEXT NOT NULL,
    target_date TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX plan_objectives_by_case ON plan_objectives (case_id, id);

CREATE TABLE plan_reviews (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases(id),
    summary        TEXT NOT NULL,
    outcomes       TEXT NOT NULL,
    reviewed_by    TEXT NOT NULL REFERENCES users(id),
    reviewed_at    BIGINT NOT NULL,
    next_review_on TEXT
);
CREATE INDEX plan_reviews_by_case ON plan_reviews (case_id, id);
CREATE TRIGGER plan_reviews_are_never_updated BEFORE UPDATE ON plan_reviews
FOR EACH ROW EXECUTE FUNCTION refuse_change('plan reviews are append-only');
CREATE TRIGGER plan_reviews_are_never_deleted BEFORE DELETE ON plan_reviews
FOR EACH ROW EXECUTE FUNCTION refuse_change('plan reviews are append-only');

-- Meetings (e.g. the weekly triage) with their agenda as it stood when the meeting opened,
-- and the decision taken on each item.
CREATE TABLE meetings (
    id         TEXT PRIMARY KEY,
    service    TEXT NOT NULL REFERENCES services(code),
    kind       TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    chaired_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX meetings_by_service ON meetings (service, id);

CREATE TABLE meeting_items (
    meeting_id  TEXT NOT NULL REFERENCES meetings(id),
    position    BIGINT NOT NULL,
    referral_id TEXT REFERENCES referrals(id),
    case_id     TEXT REFERENCES cases(id),
    outcome     TEXT,
    minute      TEXT,
    decided_by  TEXT REFERENCES users(id),
    decided_at  BIGINT,
    PRIMARY KEY (meeting_id, position)
);

-- The history: one row per change, written in the transaction of the change.
CREATE TABLE events (
    id           TEXT PRIMARY KEY,
    case_id      TEXT REFERENCES cases(id),
    actor_id     TEXT NOT NULL REFERENCES users(id),
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    before       TEXT NOT NULL,
    after        TEXT NOT NULL
);
CREATE INDEX events_by_case ON events (case_id, id);
CREATE INDEX events_by_subject ON events (subject_id, id);
CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
FOR EACH ROW EXECUTE FUNCTION refuse_change('history is append-only');
CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
FOR EACH ROW EXECUTE FUNCTION refuse_change('history is append-only');

-- Who looked at which case record, written before the record is served.
CREATE TABLE access_log (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    at      BIGINT NOT NULL,
    what    TEXT NOT NULL
);
CREATE INDEX access_log_by_case ON access_log (case_id, id);
CREATE INDEX access_log_by_user ON access_log (user_id, id);
CREATE TRIGGER access_log_is_never_updated BEFORE UPDATE ON access_log
FOR EACH ROW EXECUTE FUNCTION refuse_change('the access log is append-only');
CREATE TRIGGER access_log_is_never_deleted BEFORE DELETE ON access_log
FOR EACH ROW EXECUTE FUNCTION refuse_change('the access log is append-only');

-- Answers to creating requests, so a retried request with the same key gets the same answer.
CREATE TABLE idempotency_keys (
    user_id     TEXT NOT NULL REFERENCES users(id),
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- The account that command-line administration acts as. It cannot sign in: it is disabled
-- and its hash matches no password.
INSERT INTO users (id, username, display_name, password_hash, administrator, disabled, created_at, password_changed_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'system', 'Casework (command line)', '!', 1, 1, 0, 0);
