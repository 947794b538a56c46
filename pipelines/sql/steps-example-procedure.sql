-- Installs (or replaces) the procedure the refresh_summary step calls; a real warehouse would keep it in its
-- own migrations. Runs as written on the warehouse, several statements in one file.
CREATE SCHEMA IF NOT EXISTS steps_example;

CREATE TABLE IF NOT EXISTS steps_example.sales_summary (
  region text PRIMARY KEY,
  sales bigint NOT NULL,
  amount numeric(14,2) NOT NULL,
  refreshed_at timestamptz NOT NULL
);

CREATE OR REPLACE PROCEDURE steps_example.refresh_sales_summary(since date)
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM steps_example.sales_summary;
  INSERT INTO steps_example.sales_summary
    SELECT region, count(*), sum(amount), now()
    FROM steps_example.sales_fact
    WHERE sale_ts >= since
    GROUP BY region;
END $$;
