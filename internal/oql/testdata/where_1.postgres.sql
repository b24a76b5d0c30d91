SELECT a0.id, a0.name, a0.name, a0.org_id, (SELECT d.name FROM organization d WHERE d.id = a0.org_id), a0.address FROM location a0 WHERE 1 = 1 ORDER BY a0.name, a0.id
-- []
