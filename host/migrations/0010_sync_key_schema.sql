-- Infisical's key schema `{prefix}{{secretKey}}{suffix}` (host/src/syncs.rs): the prefix stays in
-- `key_prefix`, the part after the secret's name goes here. Existing syncs have none.
ALTER TABLE syncs ADD COLUMN key_suffix TEXT NOT NULL DEFAULT '';
