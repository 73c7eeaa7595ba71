-- What a user checks first on a rotation (host/src/rotations.rs): when a run last started and
-- when one last finished with a new secret. The last error is `last_error`; the next run is
-- `next_rotation_at`. A sync's are read from `sync_runs`.
ALTER TABLE rotations ADD COLUMN last_attempt_at INTEGER;
ALTER TABLE rotations ADD COLUMN last_success_at INTEGER;
