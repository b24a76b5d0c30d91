-- Failed logins, kept in the database so that the limit on attempts holds
-- across every instance sharing it: a login (or an address) with too many
-- failures in the window is refused for a while. login is as typed (trimmed,
-- lower-cased), known account or not; address is the client's IP. Old rows
-- are purged as new ones are written.
CREATE TABLE login_failure (
    id        INTEGER PRIMARY KEY,
    login     TEXT NOT NULL,
    address   TEXT NOT NULL,
    failed_at DATETIME NOT NULL
);
CREATE INDEX login_failure_login ON login_failure (login, failed_at);
CREATE INDEX login_failure_address ON login_failure (address, failed_at);
