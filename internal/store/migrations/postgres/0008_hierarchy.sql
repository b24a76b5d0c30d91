-- iTop's organization tree and person managers (see the SQLite migration).
ALTER TABLE organization ADD COLUMN parent_id BIGINT
    REFERENCES organization (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX organization_parent_id ON organization (parent_id);
ALTER TABLE person ADD COLUMN manager_id BIGINT
    REFERENCES person (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX person_manager_id ON person (manager_id);
