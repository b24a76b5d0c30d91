-- Teams, as iTop's (issue 25): a team is a contact of an organization with a
-- name, an email and a phone; persons are its members, each with a role
-- (lnk_person_to_team, iTop's lnkPersonToTeam); a ticket may be assigned to a
-- team before an agent of it; a phone system's queue may ring a team's
-- members (cti_queue_target.team_id, beside or instead of user_id).
CREATE TABLE team (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organization (id),
    email  TEXT NOT NULL DEFAULT '',
    phone  TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active'
);
CREATE UNIQUE INDEX team_org_name ON team (org_id, lower(name));

CREATE TABLE lnk_person_to_team (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    team_id   INTEGER NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    role      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX lnk_person_to_team_pair ON lnk_person_to_team (team_id, person_id);
CREATE INDEX lnk_person_to_team_person_id ON lnk_person_to_team (person_id);

ALTER TABLE ticket ADD COLUMN team_id INTEGER REFERENCES team (id);
CREATE INDEX ticket_team_id ON ticket (team_id);

-- A target is an agent (user_id) or a team (team_id), one of the two.
ALTER TABLE cti_queue_target ADD COLUMN team_id INTEGER REFERENCES team (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX cti_queue_target_team ON cti_queue_target (lower(queue), team_id);
CREATE INDEX cti_queue_target_team_id ON cti_queue_target (team_id);
