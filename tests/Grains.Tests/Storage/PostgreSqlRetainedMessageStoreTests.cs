namespace Broker.Grains.Tests.Storage;

public sealed class PostgreSqlRetainedMessageStoreTests() : RetainedMessageStoreContract(new PostgreSqlTestDatabase());
