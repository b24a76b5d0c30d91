SELECT a0.id, a0.name, a0.name, a0.code, a0.status, a0.support_id, a0.parent_id, (SELECT d.name FROM organization d WHERE d.id = a0.parent_id) FROM organization a0 WHERE (1 = 1 AND a0.status = ?1) ORDER BY a0.name, a0.id
-- [active]
