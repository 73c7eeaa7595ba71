-- One rotation per target app per organization (host/src/rotations.rs): two rotations of one
-- app each add and prune secrets and starve each other of the "previous" slots. The app's
-- client id gets its own column so a UNIQUE index decides between two concurrent creates.
ALTER TABLE rotations ADD COLUMN target_app_id TEXT;
-- Rotations made before this rule: the oldest of each app takes the column; later duplicates
-- keep NULL (never equal in a UNIQUE index) and stay until their user deletes them.
UPDATE rotations SET target_app_id = json_extract(target, '$.appId')
  WHERE rowid IN (SELECT MIN(rowid) FROM rotations GROUP BY org_id, json_extract(target, '$.appId'));
CREATE UNIQUE INDEX rotations_one_per_app ON rotations (org_id, target_app_id);
