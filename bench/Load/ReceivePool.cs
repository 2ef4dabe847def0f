using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Broker.Bench.Load;

/// <summary>A connection whose incoming bytes a <see cref="ReceivePool"/> thread reads.</summary>
public interface IReceiveConnection
{
    Socket Socket { get; }

    FrameBuffer Buffer { get; }

    /// <summary>New bytes are in <see cref="Buffer"/>, received at <paramref name="nowTicks"/>: handle them.</summary>
    void OnReceived(long nowTicks);

    /// <summary>The connection is closed or failed; no more calls follow. <paramref name="error"/> is a protocol error, if any.</summary>
    void OnClosed(BenchException? error);
}

/// <summary>
/// A small fixed set of receive threads, each owning some of the connections: a thread with one connection
/// blocks in recv on it; a thread with several waits on them all with epoll (level-triggered) and receives from
/// each ready one once per wake, without blocking. No task, state machine or thread pool hop per receive, and
/// no thread per connection (fanout to 100 subscribers keeps the thread count small). The sockets must never
/// have had an asynchronous operation (then they are blocking, unknown to the runtime's socket engine, and a
/// receive is one system call). Where epoll is missing (not Linux), every connection gets a thread of its own.
/// </summary>
public sealed class ReceivePool
{
    private const int MaxEvents = 256;
    private const int WaitMilliseconds = 100;

    private readonly List<Thread> _threads = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private volatile bool _stopping;

    /// <summary>Starts <paramref name="threads"/> threads (at most one per connection) over <paramref name="connections"/>.</summary>
    public ReceivePool(IReadOnlyList<IReceiveConnection> connections, int threads)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        var groups = OperatingSystem.IsLinux() ? Math.Min(threads, connections.Count) : connections.Count;
        ThreadCount = groups;
        _running = groups;
        if (groups == 0)
        {
            _done.SetResult();
            return;
        }

        for (var g = 0; g < groups; g++)
        {
            var owned = connections.Where((_, i) => i % groups == g).ToArray();
            var thread = new Thread(() => Run(owned))
            {
                IsBackground = true,
                Name = $"receive {g}",
            };
            _threads.Add(thread);
        }

        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public int ThreadCount { get; }

    /// <summary>A failure of the pool itself (epoll refused), if any; connections report their own errors.</summary>
    public BenchException? Error { get; private set; }

    /// <summary>Completes when every connection has closed, or after <see cref="Stop"/>.</summary>
    public Task Completion => _done.Task;

    /// <summary>The default: half the cores (the broker gets the other half), at least one.</summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Threads waiting on several sockets give up within 100 ms; one blocked on a single socket ends when it is shut down.</summary>
    public void Stop() => _stopping = true;

    private void Run(IReceiveConnection[] owned)
    {
        try
        {
            if (owned.Length == 1)
            {
                RunBlocking(owned[0]);
            }
            else
            {
                RunEpoll(owned);
            }
        }
        catch (BenchException exception)
        {
            Error ??= exception;
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0)
            {
                _done.SetResult();
            }
        }
    }

    private static void RunBlocking(IReceiveConnection connection)
    {
        var socket = connection.Socket;
        var buffer = connection.Buffer;
        try
        {
            while (true)
            {
                var read = socket.Receive(buffer.Free, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                buffer.Commit(read);
                connection.OnReceived(Stopwatch.GetTimestamp());
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }
        catch (BenchException exception)
        {
            connection.OnClosed(exception);
            return;
        }

        connection.OnClosed(null);
    }

    private unsafe void RunEpoll(IReceiveConnection[] owned)
    {
        var epoll = NativeMethods.EpollCreate(NativeMethods.EpollCloseOnExec);
        if (epoll < 0)
        {
            throw new BenchException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var eventSize = NativeMethods.EpollEventSize;
        var dataOffset = NativeMethods.EpollDataOffset;
        var fds = new int[owned.Length];
        var open = new bool[owned.Length];
        var openCount = 0;
        var events = new byte[MaxEvents * eventSize];
        try
        {
            fixed (byte* eventsPointer = events)
            {
                for (var i = 0; i < owned.Length; i++)
                {
                    fds[i] = (int)owned[i].Socket.Handle;
                    *(uint*)eventsPointer = NativeMethods.EpollIn | NativeMethods.EpollReadHangUp;
                    *(ulong*)(eventsPointer + dataOffset) = (ulong)i;
                    if (NativeMethods.EpollControl(epoll, NativeMethods.EpollCtlAdd, fds[i], eventsPointer) != 0)
                    {
                        throw new BenchException($"epoll_ctl failed (errno {Marshal.GetLastPInvokeError()})");
                    }

                    open[i] = true;
                    openCount++;
                }

                while (openCount > 0 && !_stopping)
                {
                    var ready = NativeMethods.EpollWait(epoll, eventsPointer, MaxEvents, WaitMilliseconds);
                    if (ready < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == NativeMethods.ErrorInterrupted)
                        {
                            continue;
                        }

                        throw new BenchException($"epoll_wait failed (errno {Marshal.GetLastPInvokeError()})");
                    }

                    for (var e = 0; e < ready; e++)
                    {
                        var i = (int)*(ulong*)(eventsPointer + (e * eventSize) + dataOffset);
                        if (open[i] && !ReceiveOnce(owned[i], fds[i]))
                        {
                            _ = NativeMethods.EpollControl(epoll, NativeMethods.EpollCtlDelete, fds[i], eventsPointer);
                            open[i] = false;
                            openCount--;
                        }
                    }
                }
            }
        }
        finally
        {
            _ = NativeMethods.Close(epoll);
            for (var i = 0; i < owned.Length; i++)
            {
                if (open[i])
                {
                    owned[i].OnClosed(null);
                }
            }
        }
    }

    /// <summary>One non-blocking receive; false when the connection is over (and then it has been told).</summary>
    private static unsafe bool ReceiveOnce(IReceiveConnection connection, int fd)
    {
        var buffer = connection.Buffer;
        nint read;
        fixed (byte* start = buffer.Array)
        {
            read = NativeMethods.Receive(fd, start + buffer.Filled, (nuint)(buffer.Capacity - buffer.Filled), NativeMethods.MessageDontWait);
        }

        if (read < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is NativeMethods.ErrorAgain or NativeMethods.ErrorInterrupted)
            {
                return true;
            }

            connection.OnClosed(null);
            return false;
        }

        if (read == 0)
        {
            connection.OnClosed(null);
            return false;
        }

        buffer.Commit((int)read);
        try
        {
            connection.OnReceived(Stopwatch.GetTimestamp());
            return true;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            connection.OnClosed(null);
        }
        catch (BenchException exception)
        {
            connection.OnClosed(exception);
        }

        return false;
    }
}
