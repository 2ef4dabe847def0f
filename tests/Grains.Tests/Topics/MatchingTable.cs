namespace Broker.Grains.Tests.Topics;

/// <summary>Filter, topic and whether they match: the MQTT matching rules, shared by the matcher and both tries.</summary>
public static class MatchingTable
{
    public static TheoryData<string, string, bool> Cases { get; } = new()
    {
        // Exact levels.
        { "a/b", "a/b", true },
        { "a/b", "a/c", false },
        { "a/b", "a", false },
        { "a", "a/b", false },
        { "a/b", "A/b", false },

        // '+' matches exactly one level.
        { "+", "a", true },
        { "+", "a/b", false },
        { "a/+", "a/b", true },
        { "a/+", "a/b/c", false },
        { "a/+", "a", false },
        { "+/+", "a/b", true },
        { "+/b", "a/b", true },
        { "+/b", "a/c", false },

        // '#' matches the parent level and everything below.
        { "#", "a", true },
        { "#", "a/b/c", true },
        { "a/#", "a", true },
        { "a/#", "a/b", true },
        { "a/#", "a/b/c", true },
        { "a/#", "b", false },
        { "a/#", "ab", false },
        { "a/b/#", "a", false },
        { "+/#", "a", true },
        { "a/+/#", "a/b", true },
        { "a/+/#", "a", false },

        // A wildcard in the first level does not match '$' topics [MQTT-4.7.2-1].
        { "#", "$SYS", false },
        { "#", "$SYS/x", false },
        { "+", "$SYS", false },
        { "+/x", "$SYS/x", false },
        { "+/#", "$SYS/x", false },
        { "$SYS/#", "$SYS/x", true },
        { "$SYS/#", "$SYS", true },
        { "$SYS/+", "$SYS/x", true },
        { "$SYS/x", "$SYS/x", true },
        { "a/+", "a/$x", true },
        { "a/#", "a/$x", true },

        // Empty levels are real levels.
        { "+/a", "/a", true },
        { "/a", "/a", true },
        { "a", "/a", false },
        { "#", "/a", true },
        { "#", "/", true },
        { "a//b", "a//b", true },
        { "a/+/b", "a//b", true },
        { "a/b", "a//b", false },
        { "a/+", "a/", true },
        { "a/", "a/", true },
        { "a", "a/", false },
        { "a/#", "a/", true },
        { "+/+", "/", true },
        { "+", "/", false },
        { "//", "//", true },
        { "/", "//", false },
    };
}
