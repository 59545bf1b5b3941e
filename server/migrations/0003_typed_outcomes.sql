-- Typed outcomes (#22): what a bulk apply reviewed, why a job stopped, each row's result and each
-- failed change's reason, as JSON that pages put into words in the reader's language. Rows written
-- before keep only their words in `message`, shown as they were written.
ALTER TABLE bulk_jobs ADD COLUMN reviewed_json TEXT;
ALTER TABLE bulk_jobs ADD COLUMN stop_json TEXT;
ALTER TABLE bulk_job_results ADD COLUMN outcome_json TEXT;
ALTER TABLE activity ADD COLUMN reason_json TEXT;
