namespace Broker.Streaming;

/// <summary>Why a call failed, in one line, for a log entry that must not carry a stack trace.</summary>
public static class FailureReason
{
    /// <summary>
    /// The first line of the exception's message: Orleans puts the whole text of an inner exception, stack trace
    /// included, into the message of the exception it throws.
    /// </summary>
    public static string Of(Exception exception)
    {
        var message = exception.Message;
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).TrimEnd();
    }
}
