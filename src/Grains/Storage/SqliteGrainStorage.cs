using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace Broker.Grains.Storage;

/// <summary>
/// Grain state in the development broker's SQLite database, a row per state name and grain with an ETag: a write
/// whose ETag is not the stored one is refused, as with any Orleans storage. State that an earlier version kept in
/// files (<see cref="FileGrainStorage"/>) is imported when it is first read, and its file removed.
/// </summary>
internal sealed class SqliteGrainStorage(SqliteDatabase database, IGrainStorageSerializer serializer, FileGrainStorage earlierFiles) : IGrainStorage
{
    private const int SqliteConstraint = 19;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await Task.Run(() => Read(stateName, grainId));
        if (stored is { } row)
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(row.Payload));
            grainState.ETag = row.ETag;
            grainState.RecordExists = true;
            return;
        }

        await earlierFiles.ReadStateAsync(stateName, grainId, grainState);
        if (!grainState.RecordExists)
        {
            return;
        }

        // Imported: from now on the row is the state, and the file goes.
        var fileETag = grainState.ETag;
        grainState.ETag = null;
        await WriteStateAsync(stateName, grainId, grainState);
        await earlierFiles.ClearStateAsync(stateName, grainId, new GrainState<T>(grainState.State) { ETag = fileETag });
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var expected = grainState.ETag;
        var etag = Guid.NewGuid().ToString("N");
        return Task.Run(() =>
        {
            using var connection = database.Connect();
            using var command = connection.CreateCommand();
            command.CommandText = expected is null
                ? "INSERT INTO broker_grain_state (state_name, grain_id, etag, payload) VALUES ($state, $grain, $etag, $payload);"
                : "UPDATE broker_grain_state SET etag = $etag, payload = $payload WHERE state_name = $state AND grain_id = $grain AND etag = $expected;";
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            command.Parameters.AddWithValue("$etag", etag);
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$expected", (object?)expected ?? DBNull.Value);
            try
            {
                if (command.ExecuteNonQuery() == 0)
                {
                    throw Conflict(stateName, grainId, expected);
                }
            }
            catch (SqliteException exception) when (exception.SqliteErrorCode == SqliteConstraint)
            {
                throw Conflict(stateName, grainId, expected);
            }

            grainState.ETag = etag;
            grainState.RecordExists = true;
        });
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.Run(() =>
    {
        using var connection = database.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM broker_grain_state WHERE state_name = $state AND grain_id = $grain AND etag IS $expected;";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$expected", (object?)grainState.ETag ?? DBNull.Value);
        if (command.ExecuteNonQuery() == 0 && grainState.ETag is not null)
        {
            throw Conflict(stateName, grainId, grainState.ETag);
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    });

    private (string ETag, byte[] Payload)? Read(string stateName, GrainId grainId)
    {
        using var connection = database.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, payload FROM broker_grain_state WHERE state_name = $state AND grain_id = $grain;";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    private static InconsistentStateException Conflict(string stateName, GrainId grainId, string? expected) =>
        new($"The state {stateName} of {grainId} changed since it was read", storedEtag: null, currentEtag: expected);
}
