namespace Broker.Protocol;

/// <summary>
/// Wildcard rules of MQTT 3.1.1 section 4.7. The codec rejects wildcards in topic names itself; filter
/// placement is checked by the broker, which answers a bad filter with a SUBACK failure instead of disconnecting.
/// </summary>
public static class TopicValidation
{
    /// <summary>A topic name (PUBLISH, will) is non-empty and has no wildcard characters.</summary>
    public static bool IsValidTopicName(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.Length > 0 && topic.AsSpan().IndexOfAny('+', '#') < 0;
    }

    /// <summary>
    /// A topic filter is non-empty; '+' fills a whole level; '#' fills a whole level and that level is the last.
    /// </summary>
    public static bool IsValidFilter(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c is not ('+' or '#'))
            {
                continue;
            }

            var startsLevel = i == 0 || filter[i - 1] == '/';
            var isLast = i == filter.Length - 1;
            var endsLevel = isLast || filter[i + 1] == '/';
            if (!startsLevel || !endsLevel || (c == '#' && !isLast))
            {
                return false;
            }
        }

        return true;
    }
}
