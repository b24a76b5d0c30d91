-- iTop's organization tree and person managers (docs/oql.md): an
-- organization may belong to another (parent_id, followed by BELOW and ABOVE
-- in queries), a person may have a manager. A deleted manager leaves his
-- persons without one. The keys are checked at commit, so that a copy may
-- write an organization before its parent.
ALTER TABLE organization ADD COLUMN parent_id INTEGER
    REFERENCES organization (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX organization_parent_id ON organization (parent_id);
ALTER TABLE person ADD COLUMN manager_id INTEGER
    REFERENCES person (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX person_manager_id ON person (manager_id);
