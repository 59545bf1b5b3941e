-- Jobs that act with someone's token (#23): what a job sends is sealed with the job's id (an edited
-- or hand-inserted row is never run), the owner's session key is sealed apart and cleared when the
-- job ends (the `session_key` column is no longer written), failed runs are counted so a job that
-- keeps failing ends, and when it ended (finished jobs are pruned after BULK_JOB_RETENTION_DAYS).
ALTER TABLE bulk_jobs ADD COLUMN seal TEXT;
ALTER TABLE bulk_jobs ADD COLUMN session_seal TEXT;
ALTER TABLE bulk_jobs ADD COLUMN failed_runs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bulk_jobs ADD COLUMN ended_ms BIGINT;
