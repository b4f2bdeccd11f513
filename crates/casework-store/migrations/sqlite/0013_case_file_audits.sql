-- Case-file audits. A manager draws a round: a random sample of open cases per worker,
-- recorded with who drew it, when, and the seed of the draw (so the draw can be repeated to
-- show it was fair). Each sampled case is then audited on the service's audit form. All three
-- tables are append-only: an audit is never edited; a correction is a new audit naming the one
-- it corrects, and counts in its place (in the month the case was first audited).
CREATE TABLE case_file_audit_rounds (
    id          TEXT PRIMARY KEY,
    service     TEXT NOT NULL REFERENCES services(code),
    team_id     TEXT REFERENCES teams(id),
    sample_size INTEGER NOT NULL,
    seed        INTEGER NOT NULL,
    drawn_by    TEXT NOT NULL REFERENCES users(id),
    drawn_at    INTEGER NOT NULL
);
CREATE INDEX case_file_audit_rounds_by_service ON case_file_audit_rounds (service, drawn_at);

-- The cases drawn, with the worker and team they were with when drawn: the audit is of that
-- worker's case file, whoever holds the case later.
CREATE TABLE case_file_audit_samples (
    round_id  TEXT NOT NULL REFERENCES case_file_audit_rounds(id),
    case_id   TEXT NOT NULL REFERENCES cases(id),
    worker_id TEXT NOT NULL REFERENCES users(id),
    team_id   TEXT REFERENCES teams(id),
    PRIMARY KEY (round_id, case_id)
);
CREATE INDEX case_file_audit_samples_by_case ON case_file_audit_samples (case_id);

CREATE TABLE case_file_audits (
    id          TEXT PRIMARY KEY,
    round_id    TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    form        TEXT NOT NULL,
    answers     TEXT NOT NULL,
    grade       TEXT NOT NULL,
    passed      INTEGER NOT NULL,
    -- The audit this one corrects; each audit is corrected at most once.
    corrects    TEXT UNIQUE REFERENCES case_file_audits(id),
    -- When the sampled case was first audited: the instant its result counts at.
    counts_at   INTEGER NOT NULL,
    audited_by  TEXT NOT NULL REFERENCES users(id),
    audited_at  INTEGER NOT NULL,
    FOREIGN KEY (round_id, case_id) REFERENCES case_file_audit_samples(round_id, case_id)
);
CREATE INDEX case_file_audits_by_sample ON case_file_audits (round_id, case_id);
CREATE INDEX case_file_audits_by_time ON case_file_audits (counts_at);

CREATE TRIGGER case_file_audit_rounds_are_never_updated BEFORE UPDATE ON case_file_audit_rounds
BEGIN SELECT RAISE(ABORT, 'audit rounds are append-only'); END;
CREATE TRIGGER case_file_audit_rounds_are_never_deleted BEFORE DELETE ON case_file_audit_rounds
BEGIN SELECT RAISE(ABORT, 'audit rounds are append-only'); END;
CREATE TRIGGER case_file_audit_samples_are_never_updated BEFORE UPDATE ON case_file_audit_samples
BEGIN SELECT RAISE(ABORT, 'audit samples are append-only'); END;
-- A sampled case and its audits give way to the case's destruction, and to nothing else.
CREATE TRIGGER case_file_audit_samples_are_never_deleted BEFORE DELETE ON case_file_audit_samples
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'audit samples are append-only'); END;
CREATE TRIGGER case_file_audits_are_never_updated BEFORE UPDATE ON case_file_audits
BEGIN SELECT RAISE(ABORT, 'case-file audits are append-only'); END;
CREATE TRIGGER case_file_audits_are_never_deleted BEFORE DELETE ON case_file_audits
WHEN NOT EXISTS (SELECT 1 FROM disposals_in_progress d WHERE d.case_id = OLD.case_id)
BEGIN SELECT RAISE(ABORT, 'case-file audits are append-only'); END;
