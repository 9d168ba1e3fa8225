-- What a model call cost, at the prices in force when it was made (prices change; a month's spend must not).
-- NULL for calls recorded before this column existed: those are priced at today's prices when read.
ALTER TABLE model_usage ADD COLUMN cost DECIMAL(24, 10);

-- A group's budget set at run time (the admin console): it replaces the config's limits for that group.
-- A NULL limit is no limit.
CREATE TABLE budget_overrides (
    group_id        VARCHAR(63)  PRIMARY KEY,
    daily_tokens    BIGINT,
    monthly_tokens  BIGINT,
    daily_cost      DECIMAL(24, 10),
    monthly_cost    DECIMAL(24, 10),
    set_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    set_by          VARCHAR(200) NOT NULL
);

-- Budget notices a chat was given, so each is told once per period even across restarts (and hosts):
-- kind 'warn' (80 %) once per period and limit; kind 'exhausted' (100 %) with the time it was last told.
-- period is '2026-12-01' for a day, '2026-12' for a month, in budgets.timeZone.
CREATE TABLE budget_notices (
    group_id    VARCHAR(63)  NOT NULL,
    limit_name  VARCHAR(32)  NOT NULL,
    period      VARCHAR(16)  NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    told_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (group_id, limit_name, period, kind)
);
