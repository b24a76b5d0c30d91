-- Callbacks (issue 24): the call back a number of missed inbound calls is
-- owed. number_key is what groups the calls: the number's E.164 form when it
-- has one, else its significant digits (internal/phone); a number has one
-- callback not done at most. person_id is the caller the number found;
-- team_id the team it is for, when teams exist (no foreign key yet).
-- done_call_id is the answered call that closed it by itself.
CREATE TABLE callback (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL,
    number_key      TEXT NOT NULL,
    person_id       INTEGER REFERENCES person (id) ON DELETE SET NULL,
    queue           TEXT NOT NULL DEFAULT '',
    call_count      INTEGER NOT NULL DEFAULT 1,
    attempts        INTEGER NOT NULL DEFAULT 0,
    team_id         INTEGER,
    state           TEXT NOT NULL,
    due_at          DATETIME NOT NULL,
    first_call_at   DATETIME NOT NULL,
    last_call_at    DATETIME NOT NULL,
    attempted_at    DATETIME,
    done_at         DATETIME,
    done_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    done_call_id    INTEGER REFERENCES cti_call (id) ON DELETE SET NULL,
    note            TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX callback_number_open ON callback (number_key) WHERE state <> 'done';
CREATE INDEX callback_due_at ON callback (due_at) WHERE state <> 'done';
CREATE INDEX callback_person_id ON callback (person_id);
CREATE INDEX callback_done_at ON callback (done_at);

-- The agents a callback is for: those its first missed call rang for, or the
-- one who took it. None: unassigned.
CREATE TABLE callback_owner (
    callback_id INTEGER NOT NULL REFERENCES callback (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (callback_id, user_id)
);
CREATE INDEX callback_owner_user_id ON callback_owner (user_id);
