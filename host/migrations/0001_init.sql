-- azconn edge host schema. Secrets live only in `secrets`, AES-256-GCM encrypted with the
-- keyring version that made them and AAD bound to org + record + field (host/src/keyring.rs).
-- Times are unix seconds.

CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- API tokens: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);

-- UI sessions (cookie `azconn_session`); the cookie value is stored hashed.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  type TEXT NOT NULL CHECK (type IN ('azure-client-secrets', 'azure-app-configuration')),
  method TEXT NOT NULL CHECK (method IN ('oauth', 'client-secret', 'certificate')),
  name TEXT NOT NULL,
  description TEXT,
  tenant_id TEXT NOT NULL,
  client_id TEXT,
  cloud TEXT NOT NULL,
  endpoint TEXT,
  -- Non-secret facts about the credential (certificate thumbprint and expiry, granted roles).
  credential_info TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'needs-reauth', 'failing')),
  last_error TEXT,
  last_validated_at INTEGER,
  -- Compare-and-swap for refreshes and updates.
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (org_id, type, name)
);

CREATE TABLE secrets (
  org_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  field TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  ciphertext TEXT NOT NULL,
  -- For cached access tokens: when the value stops being usable.
  expires_at INTEGER,
  PRIMARY KEY (owner_id, field)
);

-- Pending OAuth sign-ins: the state is stored hashed, single use, 10 minutes; the PKCE
-- verifier is in `secrets` (owner = id).
CREATE TABLE oauth_pending (
  id TEXT PRIMARY KEY,
  state_hash TEXT NOT NULL UNIQUE,
  browser_hash TEXT NOT NULL,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  tenant TEXT NOT NULL,
  endpoint TEXT,
  reconnect_id TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

CREATE TABLE rotations (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  connection_id TEXT NOT NULL REFERENCES connections(id),
  target TEXT NOT NULL,
  lifetime_days INTEGER NOT NULL,
  interval_days INTEGER NOT NULL,
  keep INTEGER NOT NULL,
  -- The core's rotation state (JSON), persisted before each request it leads to.
  state TEXT,
  status TEXT NOT NULL,
  last_error TEXT,
  current_key_id TEXT,
  current_hint TEXT,
  current_expires_at TEXT,
  next_rotation_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE syncs (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  connection_id TEXT NOT NULL REFERENCES connections(id),
  endpoint TEXT NOT NULL,
  label TEXT,
  key_prefix TEXT NOT NULL,
  mode TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE sync_runs (
  id TEXT PRIMARY KEY,
  sync_id TEXT NOT NULL REFERENCES syncs(id),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  status TEXT NOT NULL,
  plan TEXT,
  result TEXT
);

-- Every change and every Azure call outcome. Never secrets: details are built from named,
-- non-secret fields only.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id TEXT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
