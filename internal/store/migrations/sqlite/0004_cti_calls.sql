-- Call events from phone systems (docs/integrations/webhook.md): the
-- integrations that post them, the call log, and what administrators set for
-- the phone systems. Only the SHA-256 of an integration's token is kept.
CREATE TABLE cti_integration (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);

-- One row per call a phone system reported; call_id is the phone system's
-- id, unique within its integration. agent_user_id answered (inbound) or
-- placed (outbound) the call; contact_id is the best match of the other
-- party's number; phonecall_id the PhoneCall the call became.
CREATE TABLE cti_call (
    id             INTEGER PRIMARY KEY,
    integration_id INTEGER NOT NULL REFERENCES cti_integration (id),
    call_id        TEXT NOT NULL,
    direction      TEXT NOT NULL,
    from_number    TEXT NOT NULL DEFAULT '',
    to_number      TEXT NOT NULL DEFAULT '',
    queue          TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    cause          TEXT NOT NULL DEFAULT '',
    voicemail      BOOLEAN NOT NULL DEFAULT FALSE,
    started_at     DATETIME NOT NULL,
    answered_at    DATETIME,
    ended_at       DATETIME,
    agent_user_id  INTEGER REFERENCES users (id),
    contact_id     INTEGER REFERENCES person (id) ON DELETE SET NULL,
    phonecall_id   INTEGER REFERENCES phonecall (id),
    UNIQUE (integration_id, call_id)
);
CREATE INDEX cti_call_started_at ON cti_call (started_at);
CREATE INDEX cti_call_agent_started_at ON cti_call (agent_user_id, started_at);
CREATE INDEX cti_call_contact_id ON cti_call (contact_id);
CREATE INDEX cti_call_phonecall_id ON cti_call (phonecall_id);
CREATE INDEX cti_call_queue ON cti_call (queue);

-- Every person the number found when the call started, best first.
CREATE TABLE cti_call_caller (
    call_id   INTEGER NOT NULL REFERENCES cti_call (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    PRIMARY KEY (call_id, position)
);
CREATE INDEX cti_call_caller_person_id ON cti_call_caller (person_id);

-- The users a call rang for.
CREATE TABLE cti_call_agent (
    call_id INTEGER NOT NULL REFERENCES cti_call (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX cti_call_agent_user_id ON cti_call_agent (user_id);

-- A user's telephony settings; a user without a row has no extension and
-- gets the screen pop on answer. '' is no extension; two users never share
-- one.
CREATE TABLE cti_agent (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    extension     TEXT NOT NULL DEFAULT '',
    pop_on_answer BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX cti_agent_extension ON cti_agent (extension) WHERE extension <> '';

-- The block list; digits are the number's significant digits (internal/phone),
-- so that every form of a number is blocked.
CREATE TABLE cti_blocked_number (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL,
    digits     TEXT NOT NULL UNIQUE,
    note       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);

-- Caller ids presented on outbound calls, by destination pattern; the first
-- rule (by id) that matches wins.
CREATE TABLE cti_caller_id_rule (
    id         INTEGER PRIMARY KEY,
    pattern    TEXT NOT NULL,
    caller_id  TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
