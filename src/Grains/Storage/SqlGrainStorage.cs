using Orleans.Storage;

namespace Broker.Grains.Storage;

/// <summary>
/// Grain state in the broker's database, a row per state name and grain with an ETag: a write whose ETag is not
/// the stored one is refused, as with any Orleans storage. In the development broker, state that an earlier version
/// kept in files (<paramref name="earlierFiles"/>) is imported when it is first read, and its file removed.
/// </summary>
internal sealed class SqlGrainStorage(BrokerDatabase database, IGrainStorageSerializer serializer, EarlierStateFiles? earlierFiles) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (await ReadAsync(stateName, grainId) is { } row)
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(row.Payload));
            grainState.ETag = row.ETag;
            grainState.RecordExists = true;
            return;
        }

        // A missing file gives a fresh state as well.
        if (earlierFiles is null || await earlierFiles.ReadAsync<T>(stateName, grainId) is not { } imported)
        {
            grainState.State = Activator.CreateInstance<T>();
            return;
        }

        // Imported: from now on the row is the state, and the file goes.
        grainState.State = imported;
        grainState.ETag = null;
        await WriteStateAsync(stateName, grainId, grainState);
        earlierFiles.Remove(stateName, grainId);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var expected = grainState.ETag;
        var etag = Guid.NewGuid().ToString("N");
        var written = await database.RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();

            // A first write that finds a row, or a later one that finds another ETag, changes nothing.
            command.CommandText = expected is null
                ? "INSERT INTO broker_grain_state (state_name, grain_id, etag, payload) VALUES (@state, @grain, @etag, @payload) ON CONFLICT (state_name, grain_id) DO NOTHING;"
                : "UPDATE broker_grain_state SET etag = @etag, payload = @payload WHERE state_name = @state AND grain_id = @grain AND etag = @expected;";
            command.AddParameter("@state", stateName);
            command.AddParameter("@grain", grainId.ToString());
            command.AddParameter("@etag", etag);
            command.AddParameter("@payload", payload);
            if (expected is not null)
            {
                command.AddParameter("@expected", expected);
            }

            return await command.ExecuteNonQueryAsync();
        });
        if (written == 0)
        {
            throw Conflict(stateName, grainId, expected);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is { } expected)
        {
            var deleted = await database.RunAsync(async connection =>
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "DELETE FROM broker_grain_state WHERE state_name = @state AND grain_id = @grain AND etag = @expected;";
                command.AddParameter("@state", stateName);
                command.AddParameter("@grain", grainId.ToString());
                command.AddParameter("@expected", expected);
                return await command.ExecuteNonQueryAsync();
            });
            if (deleted == 0)
            {
                throw Conflict(stateName, grainId, expected);
            }
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private Task<(string ETag, byte[] Payload)?> ReadAsync(string stateName, GrainId grainId) => database.RunAsync<(string, byte[])?>(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, payload FROM broker_grain_state WHERE state_name = @state AND grain_id = @grain;";
        command.AddParameter("@state", stateName);
        command.AddParameter("@grain", grainId.ToString());
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    });

    private static InconsistentStateException Conflict(string stateName, GrainId grainId, string? expected) =>
        new($"The state {stateName} of {grainId} changed since it was read", storedEtag: null, currentEtag: expected);
}
