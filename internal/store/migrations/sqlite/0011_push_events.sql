-- The PostgreSQL event bus keeps its events in push_event; one SQLite
-- instance delivers its events in memory and keeps none. Nothing to do.
SELECT 1;
