-- Keys at rest (host/src/keys_at_rest.rs): where the re-seal sweep's last batch stopped (a rowid
-- of `secrets`), so values that cannot be re-sealed are passed instead of filling every batch.
-- One row at most; no row is the start.
CREATE TABLE reseal_cursor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  after_row INTEGER NOT NULL
);
