using Broker.Bench.Scenarios;
using Broker.Bench.Targets;
using Broker.Protocol;

namespace Broker.Bench.Tests;

/// <summary>The tool against Mosquitto started by its own launcher (CI installs the mosquitto package).</summary>
public sealed class MosquittoSmokeTests
{
    [MosquittoFact]
    public async Task PeerToPeerQos1AgainstMosquittoDeliversEveryMessageOnceInOrder()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync(CancellationToken.None);

        var settings = ScenarioSmokeTests.Smoke(ScenarioKind.P2p, QualityOfService.AtLeastOnce) with { Publishers = 2, Subscribers = 2 };
        var result = await ScenarioRunner.RunAsync(settings, mosquitto.Endpoint, CancellationToken.None);

        ScenarioSmokeTests.AssertEveryMessageOnceInOrder(result);
        Assert.Equal(result.Sent, result.Acknowledged);
        Assert.Equal("mosquitto", result.Target);
    }
}

public sealed class MosquittoFactAttribute : FactAttribute
{
    public MosquittoFactAttribute()
    {
        if (!MosquittoBroker.IsInstalled)
        {
            Skip = $"{MosquittoBroker.DefaultPath} is not installed (apt-get install mosquitto)";
        }
    }
}
