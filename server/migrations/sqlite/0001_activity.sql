-- The activity log: one row per change made through KS Console. Times are milliseconds since
-- the Unix epoch; outcome is 'done' or 'failed'; via is 'form', 'wizard' or 'bulk'.
CREATE TABLE activity (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms       BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_user TEXT,
    workspace   TEXT,
    cluster     TEXT,
    project     TEXT,
    role_before TEXT,
    role_after  TEXT,
    outcome     TEXT NOT NULL,
    message     TEXT,
    request_id  TEXT,
    via         TEXT NOT NULL
);
CREATE INDEX activity_at ON activity (at_ms);
CREATE INDEX activity_actor ON activity (actor, id);
CREATE INDEX activity_target ON activity (target_user, id);
CREATE INDEX activity_workspace ON activity (workspace, id);
