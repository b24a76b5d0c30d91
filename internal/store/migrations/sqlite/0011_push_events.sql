-- The events of the PostgreSQL event bus (see the PostgreSQL migration): one
-- SQLite instance delivers its events in memory and keeps none here; the
-- table is there so that both databases have the same tables.
CREATE TABLE push_event (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    type       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
