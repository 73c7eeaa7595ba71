-- A rotation's schedule (host/src/rotations.rs, Infisical's `isAutoRotationEnabled` and
-- `rotateAtUtc`): whether the Cron Trigger runs it, and the UTC time of day a scheduled run
-- waits for. Existing rotations stay scheduled and keep their stored next run; the window
-- (midnight UTC) applies from their next success or settings change.
ALTER TABLE rotations ADD COLUMN auto_rotation INTEGER NOT NULL DEFAULT 1;
ALTER TABLE rotations ADD COLUMN rotate_at_hours INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rotations ADD COLUMN rotate_at_minutes INTEGER NOT NULL DEFAULT 0;
