namespace Broker.Grains;

public static class CloseReasonExtensions
{
    /// <summary>The reason in words, as a gateway logs it when it closes the connection.</summary>
    public static string Describe(this CloseReason reason) => reason switch
    {
        CloseReason.TakenOver => "session taken over by a newer connection with the same client id",
        CloseReason.Revoked => "its token or instance was deleted",
        CloseReason.ClosedByAction => "closed by an $action",
        _ => $"closed by the instance ({reason})",
    };
}
