-- Access requests (#27): someone asks to join a workspace or project with a built-in role; whoever
-- may manage its members approves or declines; the requester may withdraw. Rows are only decided,
-- never removed. cluster and project are '' for a workspace; role is a workspace role's kind or a
-- project role's name; note is a decline's reason or the role an approval gave.
CREATE TABLE access_requests (
    id         TEXT PRIMARY KEY,
    requester  TEXT NOT NULL,
    workspace  TEXT NOT NULL,
    cluster    TEXT NOT NULL,
    project    TEXT NOT NULL,
    role       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    state      TEXT NOT NULL,
    decided_by TEXT,
    decided_ms BIGINT,
    note       TEXT NOT NULL
);
CREATE INDEX access_requests_pending ON access_requests (state, at_ms);
CREATE INDEX access_requests_requester ON access_requests (requester, at_ms);
