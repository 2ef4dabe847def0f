-- Cluster membership for Orleans' ADO.NET clustering: which silos a cluster has, their status and liveness, and the
-- version every change to the cluster's rows bumps (Orleans' optimistic concurrency on the membership).
-- Orleans reads the statements it runs from the table OrleansQuery, by key; its parameters are the @names below,
-- and it reads result columns by name, so the columns are aliased to the names it expects.
CREATE TABLE orleans_membership_version (
    cluster_id text PRIMARY KEY,
    version integer NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orleans_membership (
    cluster_id text NOT NULL REFERENCES orleans_membership_version (cluster_id),
    address text NOT NULL,
    port integer NOT NULL,
    generation integer NOT NULL,
    silo_name text NOT NULL,
    host_name text NOT NULL,
    status integer NOT NULL,
    proxy_port integer,
    suspect_times text,
    start_time timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

CREATE TABLE OrleansQuery (
    QueryKey text PRIMARY KEY,
    QueryText text NOT NULL
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $sql$
    WITH inserted AS (
        INSERT INTO orleans_membership_version (cluster_id) VALUES (@DeploymentId)
        ON CONFLICT (cluster_id) DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM inserted;
$sql$),

-- A silo joins: its row is added only if the cluster's version is still the one the silo read, and the version moves on.
('InsertMembershipKey', $sql$
    WITH expected AS (
        SELECT cluster_id FROM orleans_membership_version
        WHERE cluster_id = @DeploymentId AND version = @Version
        FOR UPDATE),
    inserted AS (
        INSERT INTO orleans_membership (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
        SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime FROM expected
        ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
        RETURNING 1),
    bumped AS (
        UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
        WHERE cluster_id = @DeploymentId AND EXISTS (SELECT 1 FROM inserted)
        RETURNING 1)
    SELECT count(*)::integer FROM bumped;
$sql$),

-- A silo's status or suspicions change, under the same condition on the version.
('UpdateMembershipKey', $sql$
    WITH expected AS (
        SELECT cluster_id FROM orleans_membership_version
        WHERE cluster_id = @DeploymentId AND version = @Version
        FOR UPDATE),
    updated AS (
        UPDATE orleans_membership SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
        WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
            AND EXISTS (SELECT 1 FROM expected)
        RETURNING 1),
    bumped AS (
        UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
        WHERE cluster_id = @DeploymentId AND EXISTS (SELECT 1 FROM updated)
        RETURNING 1)
    SELECT count(*)::integer FROM bumped;
$sql$),

-- Liveness needs no version: nothing else depends on it.
('UpdateIAmAlivetimeKey', $sql$
    UPDATE orleans_membership SET i_am_alive_time = @IAmAliveTime
    WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$sql$),

-- The version row comes back even without a silo row (the start time is then null).
('MembershipReadRowKey', $sql$
    SELECT v.cluster_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
        m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
        m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime",
        v.version AS "Version"
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.cluster_id = v.cluster_id
        AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.cluster_id = @DeploymentId;
$sql$),

('MembershipReadAllKey', $sql$
    SELECT v.cluster_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
        m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
        m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime",
        v.version AS "Version"
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.cluster_id = v.cluster_id
    WHERE v.cluster_id = @DeploymentId;
$sql$),

-- Where clients find silos: the active ones that accept clients.
('GatewaysQueryKey', $sql$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
    FROM orleans_membership
    WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$sql$),

('DeleteMembershipTableEntriesKey', $sql$
    DELETE FROM orleans_membership WHERE cluster_id = @DeploymentId;
    DELETE FROM orleans_membership_version WHERE cluster_id = @DeploymentId;
$sql$),

-- Rows of silos that are gone (any status but active, 3) and were last alive before the given time.
('CleanupDefunctSiloEntriesKey', $sql$
    DELETE FROM orleans_membership
    WHERE cluster_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3;
$sql$);
