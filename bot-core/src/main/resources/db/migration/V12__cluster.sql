-- Several hosts on one database (issue 14). Every time here is the DATABASE's clock (CURRENT_TIMESTAMP), never a
-- host's, so hosts whose clocks disagree still agree on who holds what.

-- One row per host process that ever ran: its id (stable per data directory), the machine it runs on, and when it
-- was last alive. A host that stopped in good order says so.
CREATE TABLE hosts (
    host_id     VARCHAR(100) PRIMARY KEY,
    machine_id  VARCHAR(200) NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen   TIMESTAMP WITH TIME ZONE NOT NULL,
    stopped_at  TIMESTAMP WITH TIME ZONE
);

-- Which host runs a group's turns. host_id is null when released. token goes up by one every time the holder
-- changes: a write for the group carries the token it was made under and is refused when the row moved on.
CREATE TABLE group_leases (
    group_id    VARCHAR(63)  PRIMARY KEY,
    host_id     VARCHAR(100),
    token       BIGINT       NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The same for things one host at a time must do for the whole install (Telegram long polling, ...).
CREATE TABLE leader_leases (
    name        VARCHAR(100) PRIMARY KEY,
    host_id     VARCHAR(100),
    token       BIGINT       NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
