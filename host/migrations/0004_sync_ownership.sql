-- Sync ownership and deletion (host/src/edge/syncs.rs): Infisical's `disableSecretDeletion`
-- option, off by default. Which sync owns a key is recorded in the store itself (the key's
-- `azconn-sync: <sync id>` tag), not here.
ALTER TABLE syncs ADD COLUMN disable_secret_deletion INTEGER NOT NULL DEFAULT 0;
-- Compare-and-swap for `PATCH /secret-syncs/.../{id}`: a write commits only at the version it read.
ALTER TABLE syncs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
