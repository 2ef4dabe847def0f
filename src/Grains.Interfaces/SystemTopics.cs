namespace Broker.Grains;

/// <summary>
/// The topics through which clients inspect and steer their instance instead of exchanging messages:
/// <see cref="Events"/> streams every interaction as JSON, <see cref="Action"/> takes commands, <see cref="Info"/>
/// describes the instance. Only <see cref="Action"/> may be published to.
/// </summary>
public static class SystemTopics
{
    public const string Events = "$events";
    public const string Action = "$action";
    public const string Info = "$info";

    /// <summary>Whether clients may not publish to <paramref name="topic"/> (a leading '/' already removed).</summary>
    public static bool IsReadOnly(string topic) => topic is Events or Info;
}
