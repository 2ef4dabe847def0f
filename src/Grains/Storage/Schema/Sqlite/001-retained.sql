-- Retained messages: a row per instance and topic, replaced by the next retained message on the topic and
-- deleted by a retained message with an empty payload.
CREATE TABLE IF NOT EXISTS broker_retained (
    instance TEXT NOT NULL,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    qos INTEGER NOT NULL,
    PRIMARY KEY (instance, topic)
);
