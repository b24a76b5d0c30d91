-- The events of the PostgreSQL event bus, kept a few minutes so that an
-- instance whose listening connection was down catches up the events it
-- missed. The sequence was created by the bus itself before this migration.
CREATE SEQUENCE IF NOT EXISTS push_event_id;

CREATE TABLE push_event (
    id         BIGINT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    type       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX push_event_created_at ON push_event (created_at);
