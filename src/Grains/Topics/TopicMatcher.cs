namespace Broker.Grains.Topics;

/// <summary>
/// Decides whether one topic filter matches one topic name, by the MQTT rules: levels split on '/', '+' matches
/// exactly one level, a trailing '#' matches its parent level and everything below, empty levels are real levels,
/// and a topic starting with '$' is not matched by a wildcard in the first level [MQTT-4.7.2-1].
/// </summary>
/// <remarks>
/// Deliberately simple (it splits both strings): it is the reference the tries are tested against and is handy
/// for one-off checks. Use <see cref="SubscriptionTrie{TSubscriber}"/> or
/// <see cref="RetainedMessageStore{TMessage}"/> for lookups over many filters or topics.
/// Both arguments are trusted to be valid (validated at the protocol edge).
/// </remarks>
public static class TopicMatcher
{
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);

        var filterLevels = filter.Split('/');
        var topicLevels = topic.Split('/');

        if (topic.StartsWith('$') && filterLevels[0] is "+" or "#")
        {
            return false;
        }

        for (var i = 0; i < filterLevels.Length; i++)
        {
            if (filterLevels[i] == "#")
            {
                // Every earlier level matched, so the topic has at least i levels: '#' takes the rest (maybe none).
                return true;
            }

            if (i >= topicLevels.Length)
            {
                return false;
            }

            if (filterLevels[i] != "+" && filterLevels[i] != topicLevels[i])
            {
                return false;
            }
        }

        return filterLevels.Length == topicLevels.Length;
    }
}
