using Broker.Bench.Targets;

namespace Broker.Bench.Scenarios;

public static class ScenarioRunner
{
    public static Task<ScenarioResult> RunAsync(ScenarioSettings settings, BrokerEndpoint broker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Kind == ScenarioKind.Conn
            ? ConnectionScenario.RunAsync(settings, broker, cancellationToken)
            : MessagingScenario.RunAsync(settings, broker, cancellationToken);
    }
}
