-- The pop's ticket lists select a caller's or an organization's tickets that
-- are not closed, of one kind: with the status and the kind in the index, the
-- tickets found are filtered, and counted, without reading their rows (at
-- 1,000,000 persons an organization's open requests were found in 38 us
-- rather than 103 us; docs/performance.md). The indexes on caller_id and on
-- org_id alone are prefixes of these.
DROP INDEX ticket_org_id;
CREATE INDEX ticket_org_status ON ticket (org_id, status, kind);
DROP INDEX ticket_caller_id;
CREATE INDEX ticket_caller_status ON ticket (caller_id, status, kind);
