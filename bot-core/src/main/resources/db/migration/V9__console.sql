-- Groups the operator paused in the console: their new messages are stored (status PAUSED) and not queued;
-- resuming sets them PENDING again and queues them. One row per paused group.
CREATE TABLE group_pauses (
    group_id    VARCHAR(63)  PRIMARY KEY REFERENCES agent_groups (id),
    paused_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    paused_by   VARCHAR(200) NOT NULL
);

-- Chats told, during the current pause of their group, that its agent is paused (told once; cleared on resume).
CREATE TABLE pause_notices (
    group_id    VARCHAR(63)  NOT NULL,
    platform    VARCHAR(32)  NOT NULL,
    chat_id     VARCHAR(200) NOT NULL,
    PRIMARY KEY (group_id, platform, chat_id)
);

-- the console's "today" figures read by time
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX model_usage_time ON model_usage (occurred_at);
