using System.Text.Json;

namespace Broker.Grains.Events;

/// <summary>A command published to <see cref="SystemTopics.Action"/>, e.g. <c>{"type":"close","target_id":"…"}</c>.</summary>
internal sealed record InstanceAction(string Type, string TargetId)
{
    /// <summary>Closes the connection <see cref="TargetId"/>, as if the network had failed: its will is published.</summary>
    public const string Close = "close";

    /// <summary>The action a payload asks for, or null when it is not JSON or not an action this broker knows.</summary>
    public static InstanceAction? Parse(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueEquals(Close)
                && root.TryGetProperty("target_id", out var target) && target.ValueKind == JsonValueKind.String)
            {
                return new InstanceAction(Close, target.GetString()!);
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
