namespace Broker.Grains.Storage;

/// <summary>The gateways of each instance in the cluster's database, a row per instance and gateway.</summary>
internal sealed class SqlGatewayRoster(BrokerDatabase database) : IGatewayRoster
{
    private const string Add = "INSERT INTO broker_instance_gateways (instance, gateway_id) VALUES (@instance, @gateway) ON CONFLICT (instance, gateway_id) DO NOTHING;";
    private const string Remove = "DELETE FROM broker_instance_gateways WHERE instance = @instance AND gateway_id = @gateway;";

    public Task<IReadOnlyList<string>> LoadAsync(string instance) => database.RunAsync<IReadOnlyList<string>>(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT gateway_id FROM broker_instance_gateways WHERE instance = @instance;";
        command.AddParameter("@instance", instance);
        await using var reader = await command.ExecuteReaderAsync();
        var gateways = new List<string>();
        while (await reader.ReadAsync())
        {
            gateways.Add(reader.GetString(0));
        }

        return gateways;
    });

    public Task SaveAsync(string instance, IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed) => database.RunAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(transaction, added.Select(gateway => new SqlStatement(Add, ("@instance", instance), ("@gateway", gateway)))
            .Concat(removed.Select(gateway => new SqlStatement(Remove, ("@instance", instance), ("@gateway", gateway)))));
        await transaction.CommitAsync();
    });
}
