-- How far each connector has read its platform's events (Telegram: the next getUpdates offset), written in the
-- same transaction as the messages it covers. One row per connector instance, e.g. 'telegram:<bot id>'.
CREATE TABLE connector_cursors (
    cursor_key  VARCHAR(200) PRIMARY KEY,
    position    BIGINT       NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- the platform's ids of the messages a delivered reply became (comma-separated, in order; several when split)
ALTER TABLE messages ADD COLUMN platform_reply_ids VARCHAR(2000);
