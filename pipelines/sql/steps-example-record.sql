-- Tells the source when the warehouse last took its rows (one row per run: the manifest records rows 1).
CREATE TABLE IF NOT EXISTS raw.etl_runs (finished_at timestamptz NOT NULL);
INSERT INTO raw.etl_runs (finished_at) VALUES (now());
