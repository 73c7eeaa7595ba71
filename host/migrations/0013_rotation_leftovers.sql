-- Rotations deleted with `secrets=keep` (host/src/rotations.rs): the secrets their runs created
-- stay on the target app (display name `azconn rotation <run> for <id>`) until they expire. A row
-- here lists them so a user can still revoke them through the connection, or forget them.
-- Written in the same batch that deletes the rotation; deleting the connection deletes its rows.
CREATE TABLE rotation_leftovers (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  name TEXT NOT NULL,
  connection_id TEXT NOT NULL REFERENCES connections(id),
  target TEXT NOT NULL,
  deleted_at INTEGER NOT NULL
);
CREATE INDEX rotation_leftovers_org ON rotation_leftovers (org_id, deleted_at);
