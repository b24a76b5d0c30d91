-- The notes an agent types in the pop while a call lasts, until they become
-- a Phone Call's note. Old ones are pruned as notes are saved.
CREATE TABLE pop_note (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    call_key   TEXT NOT NULL,
    note       TEXT NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (user_id, call_key)
);
CREATE INDEX pop_note_updated_at ON pop_note (updated_at);
