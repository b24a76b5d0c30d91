-- API tokens: a program calls the REST API as a user with one of these, sent
-- as "Authorization: Bearer <token>". As for sessions, only the SHA-256 of
-- the token is kept. A revoked token stays, so that its use is told apart
-- from an unknown token; last_used_at is written at most once a minute.
CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_token_user_id ON api_token (user_id);
