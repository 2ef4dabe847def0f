-- Retained messages: a row per instance and topic, replaced by the next retained message on the topic and
-- deleted by a retained message with an empty payload.
CREATE TABLE broker_retained (
    instance text NOT NULL,
    topic text NOT NULL,
    payload bytea NOT NULL,
    qos integer NOT NULL,
    PRIMARY KEY (instance, topic)
);
