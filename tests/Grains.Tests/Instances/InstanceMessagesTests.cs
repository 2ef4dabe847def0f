using Broker.Grains.Instances;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

public sealed class InstanceMessagesTests
{
    private readonly InstanceMessages _messages = new(lastMessageBytes: 1024 * 1024);

    [Fact]
    public void EveryMessageIsTheLastOfItsTopicButOnlyRetainedOnesAreRetained()
    {
        var plain = Message("a/1", "plain");
        var retained = Message("a/2", "kept", retain: true);

        _messages.Keep(plain);
        _messages.Keep(retained);

        Assert.Same(plain, _messages.Latest("a/1", retained: false));
        Assert.Null(_messages.Latest("a/1", retained: true));
        Assert.Same(retained, _messages.Latest("a/2", retained: true));
        Assert.Equal([retained], _messages.RetainedMatching("a/#"));
        Assert.Equal(1, _messages.Retained.Count);
    }

    [Fact]
    public void ARetainedMessageReplacesTheTopicsRetainedMessageAndAnEmptyOneClearsIt()
    {
        _messages.Keep(Message("a", "first", retain: true));
        var second = Message("a", "second", retain: true);
        _messages.Keep(second);
        Assert.Equal([second], _messages.RetainedMatching("a"));

        var clear = Message("a", "", retain: true);
        _messages.Keep(clear);

        Assert.Empty(_messages.RetainedMatching("a"));
        Assert.Same(clear, _messages.Latest("a", retained: false));
    }

    [Fact]
    public void TheLatestMatchingMessageIsFoundByFilter()
    {
        _messages.Keep(Message("x/1", "older"));
        var newer = Message("x/2", "newer");
        _messages.Keep(newer);

        Assert.Same(newer, _messages.Latest("x/+", retained: false));
        Assert.Null(_messages.Latest("y/#", retained: false));
    }
}
