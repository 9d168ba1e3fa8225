-- The named model (config model.named) an admin picked for a group with /model <name>. No row: the group uses
-- config model.groups, else the default model. Only the name is stored; keys stay in the config.
CREATE TABLE group_models (
    group_id    VARCHAR(63)  PRIMARY KEY,
    model_name  VARCHAR(40)  NOT NULL,
    chosen_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    chosen_by   VARCHAR(200) NOT NULL
);
