namespace Broker.Grains.Tests.Storage;

public sealed class PostgreSqlGrainStorageTests() : GrainStorageContract(new PostgreSqlTestDatabase());
