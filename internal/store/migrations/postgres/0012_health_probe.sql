-- The row /readyz writes to learn whether the database takes a write.
CREATE TABLE health_probe (
    id         INTEGER PRIMARY KEY,
    checked_at TIMESTAMPTZ NOT NULL
);
