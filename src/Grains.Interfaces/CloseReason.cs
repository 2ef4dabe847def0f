namespace Broker.Grains;

/// <summary>Why an instance tells a gateway to close one of its connections; the gateway logs it.</summary>
public enum CloseReason
{
    /// <summary>A newer connection with the same client id has the session, on this gateway or another.</summary>
    TakenOver = 0,

    /// <summary>The token the connection was let in with, or its instance, was deleted.</summary>
    Revoked = 1,

    /// <summary>A client closed the connection with an <c>$action</c>.</summary>
    ClosedByAction = 2,
}
