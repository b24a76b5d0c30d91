-- ctidesk schema, SQLite dialect. Times are UTC text "YYYY-MM-DD HH:MM:SS+00:00"
-- in DATETIME columns, which the driver reads back as time.Time.

CREATE TABLE organization (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    code       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'active',
    support_id TEXT NOT NULL DEFAULT ''
);

CREATE TABLE location (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    org_id  INTEGER NOT NULL REFERENCES organization (id),
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX location_org_id ON location (org_id);

CREATE TABLE person (
    id              INTEGER PRIMARY KEY,
    first_name      TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    org_id          INTEGER NOT NULL REFERENCES organization (id),
    location_id     INTEGER REFERENCES location (id),
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    mobile_phone    TEXT NOT NULL DEFAULT '',
    home_phone      TEXT NOT NULL DEFAULT '',
    employee_number TEXT NOT NULL DEFAULT '',
    support_id      TEXT NOT NULL DEFAULT '',
    function        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'active'
);
CREATE INDEX person_name ON person (name, first_name);
CREATE INDEX person_org_id ON person (org_id);
CREATE INDEX person_location_id ON person (location_id);
CREATE INDEX person_email ON person (email);
CREATE INDEX person_employee_number ON person (employee_number);
CREATE INDEX person_support_id ON person (support_id);

-- Match keys of the persons' phone numbers, one row per phone attribute that
-- is set: digits without extension, and reversed, so that "ends with" is a
-- range probe on an index.
CREATE TABLE person_number (
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    attribute TEXT NOT NULL,
    digits    TEXT NOT NULL,
    rdigits   TEXT NOT NULL,
    PRIMARY KEY (person_id, attribute)
) WITHOUT ROWID;
CREATE INDEX person_number_rdigits ON person_number (rdigits);

-- Every kind of Ticket, told apart by kind.
CREATE TABLE ticket (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    org_id      INTEGER NOT NULL REFERENCES organization (id),
    caller_id   INTEGER REFERENCES person (id),
    agent_id    INTEGER REFERENCES person (id),
    status      TEXT NOT NULL,
    origin      TEXT NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 0,
    urgency     INTEGER NOT NULL DEFAULT 0,
    impact      INTEGER NOT NULL DEFAULT 0,
    start_date  DATETIME NOT NULL,
    last_update DATETIME NOT NULL,
    close_date  DATETIME
);
CREATE INDEX ticket_caller_id ON ticket (caller_id);
CREATE INDEX ticket_agent_id ON ticket (agent_id);
CREATE INDEX ticket_org_id ON ticket (org_id);
CREATE INDEX ticket_kind_status ON ticket (kind, status);
CREATE INDEX ticket_ref ON ticket (ref);

-- The append-only public and private logs of the tickets.
CREATE TABLE ticket_log (
    ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
    log       TEXT NOT NULL,
    position  INTEGER NOT NULL,
    date      DATETIME NOT NULL,
    author    TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (ticket_id, log, position)
);

CREATE TABLE phonecall (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER REFERENCES person (id),
    agent_id   INTEGER NOT NULL REFERENCES person (id),
    ticket_id  INTEGER REFERENCES ticket (id),
    date       DATETIME NOT NULL,
    flow       TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    number     TEXT NOT NULL DEFAULT '',
    duration   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX phonecall_ticket_id ON phonecall (ticket_id);
CREATE INDEX phonecall_contact_id ON phonecall (contact_id);
CREATE INDEX phonecall_agent_id ON phonecall (agent_id);
CREATE INDEX phonecall_date ON phonecall (date);

-- "user" is reserved in PostgreSQL.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    contact_id    INTEGER REFERENCES person (id),
    language      TEXT NOT NULL,
    created_at    DATETIME NOT NULL
);
-- Logins are unique whatever their case (they are ASCII).
CREATE UNIQUE INDEX users_login ON users (lower(login));
CREATE INDEX users_contact_id ON users (contact_id);

CREATE TABLE user_role (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- The organizations a user is limited to; none: every organization.
CREATE TABLE user_org (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id  INTEGER NOT NULL REFERENCES organization (id),
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX user_org_org_id ON user_org (org_id);

-- Login sessions; only the SHA-256 of the token is kept.
CREATE TABLE session (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX session_user_id ON session (user_id);
CREATE INDEX session_expires_at ON session (expires_at);
