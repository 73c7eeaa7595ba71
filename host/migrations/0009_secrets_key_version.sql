-- Keys at rest (host/src/keys_at_rest.rs): the re-seal sweep reads the values still under an
-- older key version and `GET /api/v1/encryption` counts the values of each version; both look
-- secrets up by key_version.
CREATE INDEX secrets_key_version ON secrets (key_version);
