using System.Globalization;

namespace Broker.Bench.Measurement;

/// <summary>
/// Reads what Linux says about a process under /proc: resident memory (VmRSS), CPU time, and the open-files
/// limit. Each read returns null where the information is not available (another OS, a process that ended).
/// </summary>
public static class ProcessProbe
{
    // USER_HZ: the unit of utime and stime in /proc/<pid>/stat; 100 on every mainstream Linux build.
    private const double ClockTicksPerSecond = 100;

    /// <summary>VmRSS of the process, in bytes.</summary>
    public static long? ResidentBytes(int pid)
    {
        var status = ReadOrNull($"/proc/{pid}/status");
        if (status is null)
        {
            return null;
        }

        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public static TimeSpan? CpuTime(int pid)
    {
        var stat = ReadOrNull($"/proc/{pid}/stat");
        if (stat is null)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces; count fields after its ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var userTicks = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var systemTicks = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((userTicks + systemTicks) / ClockTicksPerSecond);
    }

    /// <summary>The soft RLIMIT_NOFILE of this process (what `ulimit -n` shows); null when unknown or unlimited.</summary>
    public static long? OpenFilesLimit()
    {
        var limits = ReadOrNull("/proc/self/limits");
        if (limits is null)
        {
            return null;
        }

        foreach (var line in limits.Split('\n'))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.TryParse(soft, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
            }
        }

        return null;
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
