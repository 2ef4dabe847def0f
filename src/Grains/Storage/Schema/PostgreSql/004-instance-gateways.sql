-- The gateways that hold connections in an instance, a row each: an activation that replaces a lost one (its silo
-- died) waits for them to restore their subscriptions before it routes a QoS 1 or 2 message.
CREATE TABLE broker_instance_gateways (
    instance text NOT NULL,
    gateway_id text NOT NULL,
    PRIMARY KEY (instance, gateway_id)
);
