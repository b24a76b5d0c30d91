SELECT a0.id, a0.name, a0.name, a0.code, a0.status, a0.support_id, a0.parent_id, (SELECT d.name FROM organization d WHERE d.id = a0.parent_id) FROM organization a0 WHERE (a0.status = ?1 OR a0.support_id = ?2) ORDER BY a0.name, a0.id
-- [active ]
