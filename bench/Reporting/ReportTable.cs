using System.Globalization;
using System.Text;
using Broker.Bench.Scenarios;

namespace Broker.Bench.Reporting;

/// <summary>
/// The results of one scenario side by side, one column per broker, as aligned text or Markdown. With exactly
/// two brokers, the first being ours, a ratio column shows ours / the other for every numeric row (for
/// throughput higher is better, for latency lower is better).
/// </summary>
public static class ReportTable
{
    public static string Text(IReadOnlyList<ScenarioResult> results) => Render(results, markdown: false);

    public static string Markdown(IReadOnlyList<ScenarioResult> results) => Render(results, markdown: true);

    private static string Render(IReadOnlyList<ScenarioResult> results, bool markdown)
    {
        ArgumentNullException.ThrowIfNull(results);
        var withRatio = results.Count == 2;
        var header = new List<string> { "metric" };
        header.AddRange(results.Select(r => r.Target));
        if (withRatio)
        {
            header.Add($"{results[0].Target}/{results[1].Target}");
        }

        var rows = new List<List<string>> { header };
        foreach (var metric in results[0].Metrics)
        {
            var row = new List<string> { metric.Name };
            var values = results.Select(r => r.Metrics.FirstOrDefault(m => m.Name == metric.Name)).ToList();
            row.AddRange(values.Select(v => v?.Text ?? ""));
            if (withRatio)
            {
                row.Add(values[0]?.Value is { } ours && values[1]?.Value is { } other && other != 0
                    ? (ours / other).ToString("0.00", CultureInfo.InvariantCulture) + "x"
                    : "");
            }

            rows.Add(row);
        }

        var builder = new StringBuilder();
        builder.AppendLine(markdown ? $"**{results[0].Settings.Describe()}**" : results[0].Settings.Describe());
        builder.AppendLine();
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            var cells = rows[r].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            builder.AppendLine(markdown ? $"| {string.Join(" | ", cells)} |" : string.Join("   ", cells));
            if (markdown && r == 0)
            {
                builder.AppendLine($"|{string.Join("|", widths.Select((w, c) => c == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":"))}|");
            }
        }

        foreach (var result in results)
        {
            foreach (var warning in result.Warnings)
            {
                builder.AppendLine(markdown ? $"\n> {result.Target}: WARNING: {warning}" : $"{result.Target}: WARNING: {warning}");
            }
        }

        return builder.ToString();
    }
}
