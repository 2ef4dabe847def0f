namespace Broker.Bench.Scenarios;

/// <summary>One row of a report: a name, the value for display, and the number behind it (for ratios), if any.</summary>
public sealed record Metric(string Name, string Text, double? Value = null)
{
    public static Metric Number(string name, double value, string format) =>
        new(name, value.ToString(format, System.Globalization.CultureInfo.InvariantCulture), value);
}
