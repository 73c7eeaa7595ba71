-- Rotation feeds sync (host/src/syncs.rs, host/src/rotations.rs): which secret NAME of a sync holds
-- which rotation's current secret (a run's `{kind: "rotation", rotationId}` value). A rotation
-- publishes each new secret to these keys before it revokes the old one. A real run of the sync
-- replaces its rows; deleting the sync or the rotation removes them.
CREATE TABLE sync_rotation_keys (
  sync_id TEXT NOT NULL REFERENCES syncs(id),
  name TEXT NOT NULL,
  rotation_id TEXT NOT NULL REFERENCES rotations(id),
  org_id TEXT NOT NULL REFERENCES organizations(id),
  PRIMARY KEY (sync_id, name)
);
CREATE INDEX sync_rotation_keys_rotation ON sync_rotation_keys (org_id, rotation_id);
