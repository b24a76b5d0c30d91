-- Match keys of internal/phone (DESIGN.md section 4). digits becomes
-- phone.Number.Digits (significant digits: international prefix, national
-- trunk 0 and extension dropped) and rdigits its reverse; e164 is the E.164
-- form when libphonenumber finds the number valid under the default region,
-- extension what was cut off. The keys of rows written before this migration
-- came from a provisional digit logic: Migrate rebuilds them (see
-- number_keys below), as `ctidesk reindex` does.
ALTER TABLE person_number ADD COLUMN e164 TEXT NOT NULL DEFAULT '';
ALTER TABLE person_number ADD COLUMN extension TEXT NOT NULL DEFAULT '';

-- Both lookup probes (a range and an IN list on rdigits) are served by this
-- index alone: it holds e164 for ranking and, the table being WITHOUT ROWID,
-- the primary key (person_id, attribute). No probe needs an index on e164:
-- numbers with equal E.164 forms have digits that end one another, so the
-- rdigits probes find them.
DROP INDEX person_number_rdigits;
CREATE INDEX person_number_rdigits ON person_number (rdigits, e164);

-- Caller lookup by email ignores case (ASCII, as SQLite's NOCASE does).
CREATE INDEX person_email_nocase ON person (email COLLATE NOCASE);

-- The default region the number keys were built with: keys depend on it, so
-- a change of region needs `ctidesk reindex`. '' means "not built by
-- internal/phone yet".
CREATE TABLE number_keys (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    region TEXT NOT NULL
);
INSERT INTO number_keys (id, region) VALUES (1, '');
