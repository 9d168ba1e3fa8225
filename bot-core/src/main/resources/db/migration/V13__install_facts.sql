-- Facts about the whole install that every host sharing the database must agree on (issue 14): for now the id of
-- the marker file in the group folders root, which tells a host whether it sees the same folders as the others.
CREATE TABLE install_facts (
    name        VARCHAR(100) PRIMARY KEY,
    fact_value  VARCHAR(200) NOT NULL
);
