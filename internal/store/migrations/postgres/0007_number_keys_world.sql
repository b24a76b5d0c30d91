-- Issue 21 changed the match keys of internal/phone: extension markers of
-- more languages, national prefixes other than 0, a short number starting
-- with 0 kept whole. Keys written before are stale: marking them unbuilt
-- makes Migrate rebuild them, as `ctidesk reindex` does.
UPDATE number_keys SET region = '';
