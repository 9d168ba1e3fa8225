-- Files a person sent with a message: data beside their message, never parsed back out of its text.
-- The content is kept by the host in data/files/incoming/<stored_as> until it is placed in the group's inbox/.
CREATE TABLE attachments (
    message_id  BIGINT       NOT NULL REFERENCES messages (id),
    seq         INT          NOT NULL,
    -- sanitised once, on entry: a single safe file name
    name        VARCHAR(120) NOT NULL,
    mime_type   VARCHAR(200) NOT NULL,
    size_bytes  BIGINT       NOT NULL,
    stored_as   VARCHAR(64)  NOT NULL,
    PRIMARY KEY (message_id, seq)
);
