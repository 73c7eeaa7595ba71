-- Sync ownership and deletion (host/src/edge/syncs.rs): Infisical's `disableSecretDeletion`
-- option, off by default. Which sync owns a key is recorded in the store itself (the key's
-- `azconn-sync: <sync id>` tag), not here.
ALTER TABLE syncs ADD COLUMN disable_secret_deletion INTEGER NOT NULL DEFAULT 0;
