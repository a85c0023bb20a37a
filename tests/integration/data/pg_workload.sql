-- pgbench script for replication tests (tests/integration/t/replicate_*.sh):
-- every kind of change on the tables created by replicate_setup in the tests.
\set a random(1, 20000)
\set b random(1, 20000)
\set d random(-50, 50)
BEGIN;
-- an update that leaves the TOASTed column alone (pgoutput sends it as unchanged)
UPDATE public.acct SET bal = bal + :d WHERE id = :a;
-- an update of the TOASTed column itself
UPDATE public.acct SET doc = repeat(md5(:b::text), 400) WHERE id = :b AND :d > 40;
INSERT INTO public.hist (acct, delta) VALUES (:a, :d);
-- a key change (old key sent); a key re-created by the re-insert below after
-- an earlier move would collide with its moved twin, so that one stays put
UPDATE public.acct SET id = id + 1000000 WHERE id = :b AND :d < -45
  AND NOT EXISTS (SELECT 1 FROM public.acct m WHERE m.id = :b + 1000000);
-- delete, then re-insert the same key in the same transaction
DELETE FROM public.acct WHERE id = :a AND :d = 0;
INSERT INTO public.acct (id, bal, doc) SELECT :a, 7, 'back' WHERE :d = 0
  ON CONFLICT (id) DO NOTHING;
UPDATE public."Odd ""Name"" ü" SET "Välue" = "Välue" || 'x' WHERE "Key" = :a % 100;
UPDATE public.full_ident SET v = v + 1 WHERE k1 = :a % 50 AND k2 = 'k';
COMMIT;
