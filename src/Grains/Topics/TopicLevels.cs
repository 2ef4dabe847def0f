namespace Broker.Grains.Topics;

/// <summary>
/// Walks a topic name or filter level by level without allocating. A position is the index where a level
/// starts; a position past the end of the string means "no levels left", which keeps "a" (one level) apart
/// from "a/" (two levels, the second empty).
/// </summary>
internal static class TopicLevels
{
    public const char Separator = '/';

    /// <summary>True when <paramref name="position"/> is past the last level.</summary>
    public static bool IsEnd(string text, int position) => position > text.Length;

    /// <summary>
    /// The level starting at <paramref name="position"/>; <paramref name="next"/> is where the following level
    /// starts, or past the end when this was the last one.
    /// </summary>
    public static ReadOnlySpan<char> Read(string text, int position, out int next)
    {
        var rest = text.AsSpan(position);
        var length = rest.IndexOf(Separator);
        if (length < 0)
        {
            next = text.Length + 1;
            return rest;
        }

        next = position + length + 1;
        return rest[..length];
    }

    /// <summary>True when a wildcard in the first level must not match this topic [MQTT-4.7.2-1].</summary>
    public static bool IsHiddenFromFirstLevelWildcards(ReadOnlySpan<char> topicLevel) =>
        topicLevel.Length > 0 && topicLevel[0] == '$';
}
