-- The UI's live rotation progress: the step a running rotation is on (inspect, add, verify,
-- wait, publish, remove), written before the step starts; NULL when no run is in progress.
ALTER TABLE rotations ADD COLUMN step TEXT;
