-- Grain state (the instance catalog): a row per state name and grain, with the ETag that guards against lost updates.
CREATE TABLE IF NOT EXISTS broker_grain_state (
    state_name TEXT NOT NULL,
    grain_id TEXT NOT NULL,
    etag TEXT NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (state_name, grain_id)
);
