-- pgbench script for the exactly-once tests: every transaction makes exactly
-- two row changes (one update of an existing row, one insert), so the number
-- of changes replication must apply is 2 x the rows of public.hist.
\set a random(1, 20000)
\set d random(-50, 50)
BEGIN;
UPDATE public.acct SET bal = bal + :d, doc = doc WHERE id = :a;
INSERT INTO public.hist (acct, delta) VALUES (:a, :d);
COMMIT;
