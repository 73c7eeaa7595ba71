-- Web security and token single-flight (host/src/edge/rate_limit.rs, connections.rs).

-- Rate limits: one fixed window per bucket (`<route>:ip:<address>` or `<route>:token:<hash or
-- id>`), anchored at the bucket's first request. Rows whose window ended a day ago are swept by
-- the Cron Trigger.
CREATE TABLE rate_limits (
  bucket TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
);

-- Token single-flight: the caller holding a connection's lease acquires the token (OAuth refresh
-- or client credentials); others wait for it and read the cached token. A lease expires so a
-- crashed holder never blocks the connection.
CREATE TABLE token_leases (
  connection_id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

-- The API token a session was made from, so revoking the token ends its sessions.
ALTER TABLE sessions ADD COLUMN token_id TEXT;
