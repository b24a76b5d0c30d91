-- The ticket list sorts by last update (the newest activity first, an agent's
-- usual view), and home lists an agent's open tickets by last activity: with
-- these indexes a page of them is read in order rather than sorted whole. The
-- index on agent_id alone is a prefix of the second.
CREATE INDEX ticket_last_update ON ticket (last_update);
DROP INDEX ticket_agent_id;
CREATE INDEX ticket_agent_last_update ON ticket (agent_id, last_update);

-- A user an administrator disabled (the Users page) logs in no more, and his
-- sessions and API tokens stop working; NULL: active.
ALTER TABLE users ADD COLUMN disabled_at DATETIME;
