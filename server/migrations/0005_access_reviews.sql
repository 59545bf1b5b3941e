-- Access reviews (#26): snapshots of a workspace's memberships, taken when someone who can list
-- them all opens the review and something differs from the last one, and reviewers' sign-offs.
-- held_json is the sorted list of (scope, cluster, project, username, role); nothing else.
CREATE TABLE access_snapshots (
    workspace TEXT NOT NULL,
    at_ms     BIGINT NOT NULL,
    taken_by  TEXT NOT NULL,
    held_json TEXT NOT NULL,
    PRIMARY KEY (workspace, at_ms)
);
CREATE TABLE access_sign_offs (
    workspace TEXT NOT NULL,
    at_ms     BIGINT NOT NULL,
    reviewer  TEXT NOT NULL,
    PRIMARY KEY (workspace, at_ms, reviewer)
);
