-- The pop's ticket lists show a caller's or an organization's newest open
-- tickets (last_update, then start_date and id, descending) and count them up
-- to a cap (docs/performance.md: a caller of an organization of 100,000
-- tickets). The *_list indexes serve the rows: with the key, then the order,
-- the database walks the index from the newest and stops at the limit, rather
-- than reading, sorting and counting every ticket of the organization; status,
-- kind and the other key are included, so that the lists' conditions are
-- checked from the index alone. The *_status indexes serve the count: the
-- statuses the list may show, then kind and the other key, so that the open
-- tickets are counted without reading the closed ones of years of history.
-- They replace 0006's, which lacked the other key.
CREATE INDEX ticket_org_list ON ticket (org_id, last_update, start_date, id) INCLUDE (status, kind, caller_id);
CREATE INDEX ticket_caller_list ON ticket (caller_id, last_update, start_date, id) INCLUDE (status, kind, org_id);
DROP INDEX ticket_org_status;
CREATE INDEX ticket_org_status ON ticket (org_id, status, kind, caller_id);
DROP INDEX ticket_caller_status;
CREATE INDEX ticket_caller_status ON ticket (caller_id, status, kind, org_id);
