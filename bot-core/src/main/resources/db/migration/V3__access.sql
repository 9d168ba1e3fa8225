-- who may talk to the bot in direct messages, beyond the config's allowlist
CREATE TABLE access_grants (
    platform    VARCHAR(32)  NOT NULL,
    user_id     VARCHAR(200) NOT NULL,
    granted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    granted_by  VARCHAR(200) NOT NULL,
    PRIMARY KEY (platform, user_id)
);

-- one-time codes a stranger gets, for an admin to approve (./claw4j access approve CODE)
CREATE TABLE pairing_codes (
    code        VARCHAR(16)  PRIMARY KEY,
    platform    VARCHAR(32)  NOT NULL,
    user_id     VARCHAR(200) NOT NULL,
    user_name   VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at     TIMESTAMP WITH TIME ZONE
);
CREATE INDEX pairing_codes_user ON pairing_codes (platform, user_id);

-- people who were told once that they may not talk to the bot (they are not told again)
CREATE TABLE access_notices (
    platform    VARCHAR(32)  NOT NULL,
    user_id     VARCHAR(200) NOT NULL,
    noticed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (platform, user_id)
);
