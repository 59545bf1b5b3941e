-- Notifications (#28). The outbox: one row per change, person told and channel, written in the
-- same transaction as the change's activity entry; a worker claims due rows with a lease (one
-- replica sends each), sends one message per person, batch and channel, retries with backoff and
-- gives up after a day. `batch` groups what one request or job changed (a bulk job's rows, an
-- approval and its invitation) or a day's digest; `record_json` is the activity record (it has no
-- place for a password or a token). Rows are removed only by the retention prune.
CREATE TABLE notification_outbox (
    id             TEXT PRIMARY KEY,
    created_ms     BIGINT NOT NULL,
    channel        TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    email          TEXT NOT NULL,
    lang           TEXT NOT NULL,
    batch          TEXT NOT NULL,
    record_json    TEXT NOT NULL,
    state          TEXT NOT NULL,
    attempts       BIGINT NOT NULL,
    next_ms        BIGINT NOT NULL,
    lease_owner    TEXT NOT NULL,
    lease_until_ms BIGINT NOT NULL,
    last_error     TEXT NOT NULL,
    done_ms        BIGINT
);
CREATE INDEX notification_outbox_due ON notification_outbox (state, next_ms);
CREATE INDEX notification_outbox_group ON notification_outbox (channel, recipient, batch);

-- Each person's choices: the language they last chose in the console ('' none), whether they
-- turned notifications off, and whether access requests reach them as a daily digest.
CREATE TABLE notification_preferences (
    username   TEXT PRIMARY KEY,
    lang       TEXT NOT NULL,
    muted      BIGINT NOT NULL,
    digest     BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
