SELECT a0.id, a0.name, a0.name, a0.org_id, (SELECT d.name FROM organization d WHERE d.id = a0.org_id), a0.email, a0.phone, a0.status FROM team a0 WHERE a0.org_id IN ($1, $2) ORDER BY a0.name, a0.id
-- [1 2]
