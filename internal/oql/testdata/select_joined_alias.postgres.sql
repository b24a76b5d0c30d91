SELECT r.id, r.name, r.name, r.org_id, (SELECT d.name FROM organization d WHERE d.id = r.org_id), r.address FROM location r WHERE r.id IN (SELECT a1.id FROM person a0 JOIN location a1 ON a0.location_id = a1.id) ORDER BY r.name, r.id
-- []
