using System.Runtime.InteropServices;

namespace Broker.Bench.Load;

/// <summary>
/// The libc calls .NET lacks: a sleep finer than a millisecond (pacing at 10k msg/s waits 100 µs between
/// messages), the thread's timer slack (so that such a sleep ends on time instead of ~50 µs late), epoll and a
/// non-blocking recv for the receive threads (one thread waits on many sockets without the runtime's socket
/// engine in between), and sending SIGTERM, so that a broker the tool started shuts down cleanly.
/// </summary>
internal static unsafe partial class NativeMethods
{
    public const int SignalTerminate = 15;

    public const int EpollCtlAdd = 1;
    public const int EpollCtlDelete = 2;
    public const uint EpollIn = 0x001;
    public const uint EpollError = 0x008;
    public const uint EpollHangUp = 0x010;
    public const uint EpollReadHangUp = 0x2000;
    public const int EpollCloseOnExec = 0x80000;
    public const int MessageDontWait = 0x40;
    public const int ErrorInterrupted = 4;
    public const int ErrorAgain = 11;

    private const int PrSetTimerSlack = 29;

    [LibraryImport("libc", EntryPoint = "usleep")]
    public static partial int MicroSleep(uint microseconds);

    [LibraryImport("libc", EntryPoint = "kill")]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollControl(int epoll, int operation, int fd, byte* epollEvent);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, byte* events, int maxEvents, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>The size of struct epoll_event: packed (12 bytes) on x86-64, naturally aligned (16) elsewhere.</summary>
    public static int EpollEventSize => RuntimeInformation.ProcessArchitecture is Architecture.X64 ? 12 : 16;

    /// <summary>Where epoll_event.data sits in the struct.</summary>
    public static int EpollDataOffset => RuntimeInformation.ProcessArchitecture is Architecture.X64 ? 4 : 8;

    /// <summary>Lets this thread's sleeps end within <paramref name="nanoseconds"/> of their deadline (Linux; ignored elsewhere).</summary>
    public static void SetTimerSlack(uint nanoseconds)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Prctl(PrSetTimerSlack, nanoseconds, 0, 0, 0);
        }
    }
}
