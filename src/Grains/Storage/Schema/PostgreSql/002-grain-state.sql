-- Grain state (the instance catalog): a row per state name and grain, with the ETag that guards against lost updates.
CREATE TABLE broker_grain_state (
    state_name text NOT NULL,
    grain_id text NOT NULL,
    etag text NOT NULL,
    payload bytea NOT NULL,
    PRIMARY KEY (state_name, grain_id)
);
