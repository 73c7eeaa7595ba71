-- Names and descriptions of rotations and syncs (host/src/names.rs): a slug unique per
-- organization per kind, so `GET …?name=` finds one and a taken name is a 409 on `name`.
ALTER TABLE rotations ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE rotations ADD COLUMN description TEXT;
ALTER TABLE syncs ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE syncs ADD COLUMN description TEXT;
-- Records made before names: named by their ids (always a valid, distinct slug).
UPDATE rotations SET name = 'rotation-' || lower(id) WHERE name = '';
UPDATE syncs SET name = 'sync-' || lower(id) WHERE name = '';
CREATE UNIQUE INDEX rotations_name ON rotations (org_id, name);
CREATE UNIQUE INDEX syncs_name ON syncs (org_id, name);
