-- group chats an admin approved by code (./claw4j access approve CODE), beyond config access.allowedChats.
-- A grant is for the chat (platform + chat id), not for the person who asked.
CREATE TABLE access_chat_grants (
    platform    VARCHAR(32)  NOT NULL,
    chat_id     VARCHAR(200) NOT NULL,
    granted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    granted_by  VARCHAR(200) NOT NULL,
    PRIMARY KEY (platform, chat_id)
);

-- A code is for a person (chat_id NULL) or for a group chat (chat_id set; user_id is the person who asked).
ALTER TABLE pairing_codes ADD COLUMN chat_id VARCHAR(200);

-- What a pending code waits for: 'dm:<platform>:<user id>' or 'chat:<platform>:<chat id>'; NULL once the code
-- is used or has expired. Unique, so two messages at once can never both get a code for the same person or
-- chat. Codes issued before this column existed expire within the hour and hold no place.
ALTER TABLE pairing_codes ADD COLUMN pending_for VARCHAR(240);
ALTER TABLE pairing_codes ADD CONSTRAINT pairing_codes_one_pending UNIQUE (pending_for);
CREATE INDEX pairing_codes_chat ON pairing_codes (platform, chat_id);

-- One row that issuing a code locks (SELECT ... FOR UPDATE), so the pending-code caps are counted and the code
-- inserted with no other issuer in between.
CREATE TABLE pairing_issue_lock (id INT PRIMARY KEY);
INSERT INTO pairing_issue_lock (id) VALUES (1);
