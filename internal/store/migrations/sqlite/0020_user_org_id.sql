-- A user's allowed organization gets an id, as every object of a query has
-- one: queries name it URP_UserOrg, iTop's class (docs/oql.md). SQLite adds
-- no primary key to a table: it is rebuilt, its pairs kept, still unique;
-- the id comes last, as PostgreSQL adds it (a copy between the two compares
-- rows column by column).
CREATE TABLE user_org_new (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id  INTEGER NOT NULL REFERENCES organization (id),
    id      INTEGER PRIMARY KEY,
    UNIQUE (user_id, org_id)
);
INSERT INTO user_org_new (user_id, org_id) SELECT user_id, org_id FROM user_org ORDER BY user_id, org_id;
DROP TABLE user_org;
ALTER TABLE user_org_new RENAME TO user_org;
CREATE INDEX user_org_org_id ON user_org (org_id);
