-- Bulk onboarding jobs: the rows a dry run accepted (never a password), who runs them and until
-- when (a lease another replica takes over once it lapses), and one result per finished row.
CREATE TABLE bulk_jobs (
    id             TEXT PRIMARY KEY,
    owner          TEXT NOT NULL,
    session_key    TEXT NOT NULL,
    created_ms     BIGINT NOT NULL,
    state          TEXT NOT NULL,
    message        TEXT,
    rows_json      TEXT NOT NULL,
    lease_owner    TEXT,
    lease_until_ms BIGINT NOT NULL
);
CREATE INDEX bulk_jobs_running ON bulk_jobs (state, lease_until_ms);
CREATE TABLE bulk_job_results (
    job_id  TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    line    BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (job_id, line)
);
