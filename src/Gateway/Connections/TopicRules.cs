using System.Buffers;
using Broker.Gateway.Options;
using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Connections;

/// <summary>
/// The instance rules for topics and filters, applied once at the edge: '*' stands for '+' in filters, a leading
/// '/' is not part of the topic ("/hello" and "hello" are one topic; the flag says the client wrote it), topics are
/// at most <see cref="LimitOptions.MaxTopicLength"/> characters of letters, digits and <c>. , : ; - _ $ / + #</c>,
/// and the system topics <c>$events</c> and <c>$info</c> are only subscribed to.
/// </summary>
internal sealed class TopicRules(LimitOptions limits)
{
    private static readonly SearchValues<char> AllowedCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-_$/+#");

    /// <summary>The topic the instance uses for a PUBLISH topic, or the reason it is refused.</summary>
    public bool TryNormalizeTopic(string topic, out string normalized, [NotNullWhen(false)] out string? refusal)
    {
        normalized = StripRootSlash(topic, out _);
        refusal = CheckCharacters(topic)
            ?? (TopicValidation.IsValidTopicName(topic) ? null : "a topic name has no wildcards")
            ?? (SystemTopics.IsReadOnly(normalized) ? "a system topic that is not published to" : null);
        return refusal is null;
    }

    /// <summary>The filter the instance uses for a SUBSCRIBE or UNSUBSCRIBE filter, or the reason it is refused.</summary>
    public bool TryNormalizeFilter(string filter, out string normalized, out bool rootSlash, [NotNullWhen(false)] out string? refusal)
    {
        var withPlus = filter.Replace('*', '+');
        normalized = StripRootSlash(withPlus, out rootSlash);
        refusal = CheckCharacters(withPlus) ?? (TopicValidation.IsValidFilter(normalized) ? null : "wildcards must stand alone in their level, '#' last");
        return refusal is null;
    }

    private static string StripRootSlash(string topic, out bool rootSlash)
    {
        rootSlash = topic.StartsWith('/');
        return rootSlash ? topic[1..] : topic;
    }

    private string? CheckCharacters(string topic)
    {
        if (topic.Length > limits.MaxTopicLength)
        {
            return $"longer than {limits.MaxTopicLength} characters";
        }

        var refused = topic.AsSpan().IndexOfAnyExcept(AllowedCharacters);
        return refused < 0 ? null : $"character '{topic[refused]}' is not allowed";
    }
}
