SELECT a0.id, a0.name, a0.name, a0.org_id, (SELECT d.name FROM organization d WHERE d.id = a0.org_id), a0.email, a0.phone, a0.status FROM team a0 WHERE a0.id NOT IN (SELECT a1.id FROM team a1 JOIN lnk_person_to_team a2 ON a2.team_id = a1.id WHERE a2.role = $1) ORDER BY a0.name, a0.id
-- [Lead]
