namespace Broker.Bench;

/// <summary>A benchmark cannot run or went wrong in a way the user must see (refused connection, missing build, limits).</summary>
public sealed class BenchException : Exception
{
    public BenchException()
    {
    }

    public BenchException(string message)
        : base(message)
    {
    }

    public BenchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
