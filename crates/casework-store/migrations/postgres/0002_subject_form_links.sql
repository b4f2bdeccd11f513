-- The PostgreSQL form of migrations/sqlite/0002_subject_form_links.sql.

-- Links that let the person referred fill in their own form (e.g. the trainee's Form 2)
-- without an account. Only a hash of the link's secret is kept; a link works once, until it
-- expires.
CREATE TABLE subject_form_links (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    referral_id  TEXT NOT NULL REFERENCES referrals(id),
    form         TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX subject_form_links_by_referral ON subject_form_links (referral_id, created_at);
