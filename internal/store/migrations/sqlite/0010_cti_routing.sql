-- Phone systems as they are (docs/integrations/webhook.md).
--
-- An integration rings every agent who may see the caller for the calls that
-- name nobody (as Zammad notifies every agent), unless turned off.
ALTER TABLE cti_integration ADD COLUMN ring_all_agents BOOLEAN NOT NULL DEFAULT TRUE;

-- blocked marks the calls from a number of the block list: rejected, or put
-- through anyway by a phone system that ignored the reject. last_event_at is
-- when the call's last event came: a call not over that has heard nothing
-- for calls.stale_after is ended, its hangup lost; cti_call_open finds them.
ALTER TABLE cti_call ADD COLUMN blocked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cti_call ADD COLUMN last_event_at DATETIME;
UPDATE cti_call SET blocked = TRUE WHERE state = 'rejected';
UPDATE cti_call SET last_event_at = COALESCE(ended_at, answered_at, started_at);
CREATE INDEX cti_call_open ON cti_call (last_event_at) WHERE ended_at IS NULL;

-- Who the calls of a queue ring for, when they name no agent (Zammad's
-- notify map): an agent (user_id). A team will be another kind of target, in
-- a column of its own beside user_id, which is why user_id may be null. A
-- queue matches in any case.
CREATE TABLE cti_queue_target (
    id         INTEGER PRIMARY KEY,
    queue      TEXT NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX cti_queue_target_user ON cti_queue_target (lower(queue), user_id);
CREATE INDEX cti_queue_target_user_id ON cti_queue_target (user_id);
