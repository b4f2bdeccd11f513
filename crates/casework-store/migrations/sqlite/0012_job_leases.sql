-- Background jobs when several instances share one database. Each kind of job runs only on
-- the instance holding its lease; the holder renews it at every run, and when it stops
-- renewing (killed, cut off) another instance takes the lease once it has expired. Times are
-- the instances' own clocks, in microseconds, never the database's.
CREATE TABLE job_leases (
    job        TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    taken_at   INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- One row per run of a job: the slot is the interval of the clock the run covers (the
-- instant divided by the job's period), so a slot runs once whichever instance holds the
-- lease. A run that started and never finished was cut off; the next slot covers its work.
CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    holder      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT,
    PRIMARY KEY (job, slot)
);
