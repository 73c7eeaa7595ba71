-- The UI's live rotation progress: the step a running rotation is on (inspect, add, verify,
-- wait, publish, remove), written before the step starts; NULL when no run is in progress.
ALTER TABLE rotations ADD COLUMN step TEXT;

-- "Created by" on the connection list: the API token behind the request (a UI session records
-- the token it was opened with: sessions.token_id, added by 0003_security.sql), resolved to a label
-- when the connection is created.
ALTER TABLE connections ADD COLUMN created_by TEXT;
ALTER TABLE oauth_pending ADD COLUMN created_by TEXT;
