namespace Broker.Bench.Cli;

public enum TargetChoice
{
    Both,
    Ours,
    Mosquitto,
}
