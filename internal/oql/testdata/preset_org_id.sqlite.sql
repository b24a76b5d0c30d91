SELECT r.id, r.name, r.name, r.code, r.status, r.support_id, r.parent_id, (SELECT d.name FROM organization d WHERE d.id = r.parent_id) FROM organization r WHERE r.id IN (SELECT a0.id FROM organization a0 JOIN person a1 ON a1.org_id = a0.id WHERE a1.id = ?1) ORDER BY r.name, r.id
-- [3]
