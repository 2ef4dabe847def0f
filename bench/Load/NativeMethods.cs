using System.Runtime.InteropServices;

namespace Broker.Bench.Load;

/// <summary>
/// The two libc calls .NET lacks: a sleep finer than a millisecond (pacing at 10k msg/s waits 100 µs between
/// messages) and sending SIGTERM, so that a broker the tool started shuts down cleanly.
/// </summary>
internal static partial class NativeMethods
{
    public const int SignalTerminate = 15;

    [LibraryImport("libc", EntryPoint = "usleep")]
    public static partial int MicroSleep(uint microseconds);

    [LibraryImport("libc", EntryPoint = "kill")]
    public static partial int Kill(int pid, int signal);
}
