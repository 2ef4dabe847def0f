using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// A grain turn can route more to one gateway than one stream event holds (the memory stream cache rejects events
/// over 1 MB); the turn's deliveries then go out as several batches with consecutive sequence numbers, in order.
/// </summary>
[Collection(DevelopmentClusterCollection.Name)]
public sealed class BatchCuttingTests(DevelopmentCluster cluster)
{
    private readonly string _prefix = UniquePrefix();

    [Fact]
    public async Task LargeMessagesForSeveralConnectionsArriveInSeveralBatchesInOrder()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        for (var id = 1; id <= 3; id++)
        {
            await ConnectAsync(grain, gateway, id, $"{_prefix}-big-{id}");
            await grain.Subscribe(gateway.Connection(id), Filters(($"{_prefix}/big", 1)));
        }

        var messages = Enumerable.Range(0, 40)
            .Select(i => new PublishedMessage($"{_prefix}/big", Payload(i, 64 * 1024), 1, false))
            .ToArray();
        await grain.Publish(Batch(gateway, messages));

        var received = await ReceiveDeliveriesAsync(gateway, expected: 3 * 40);
        Assert.True(received.Batches > 1);
        foreach (var id in new long[] { 1, 2, 3 })
        {
            Assert.Equal(Enumerable.Range(0, 40), received.Sequences.Where(d => d.ConnectionId == id).Select(d => d.Sequence));
        }
    }

    [Fact]
    public async Task ManyDeliveriesOfSmallMessagesArriveInSeveralBatchesInOrder()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        const int connections = 10;
        const int messageCount = 2000;
        for (var id = 1; id <= connections; id++)
        {
            await ConnectAsync(grain, gateway, id, $"{_prefix}-small-{id}");
            await grain.Subscribe(gateway.Connection(id), Filters(($"{_prefix}/small", 0)));
        }

        var messages = Enumerable.Range(0, messageCount)
            .Select(i => new PublishedMessage($"{_prefix}/small", Payload(i, 8), 0, false))
            .ToArray();
        await grain.Publish(Batch(gateway, messages));

        var received = await ReceiveDeliveriesAsync(gateway, expected: connections * messageCount);
        Assert.True(received.Batches >= 3);
        for (var id = 1; id <= connections; id++)
        {
            Assert.Equal(Enumerable.Range(0, messageCount), received.Sequences.Where(d => d.ConnectionId == id).Select(d => d.Sequence));
        }
    }

    private static async Task<(int Batches, List<(long ConnectionId, int Sequence)> Sequences)> ReceiveDeliveriesAsync(GatewayProbe gateway, int expected)
    {
        var sequences = new List<(long, int)>();
        var batches = 0;
        long? lastSequence = null;
        while (sequences.Count < expected)
        {
            var batch = await gateway.NextAsync();
            if (lastSequence is { } last)
            {
                Assert.Equal(last + 1, batch.Sequence);
            }

            lastSequence = batch.Sequence;
            batches++;
            foreach (var delivery in batch.Deliveries)
            {
                sequences.Add((delivery.ConnectionId, BitConverter.ToInt32(batch.Messages[delivery.MessageIndex].Payload)));
            }
        }

        Assert.Equal(expected, sequences.Count);
        return (batches, sequences);
    }

    private static byte[] Payload(int sequence, int size)
    {
        var payload = new byte[size];
        BitConverter.TryWriteBytes(payload, sequence);
        return payload;
    }
}
