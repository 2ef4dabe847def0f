namespace Broker.Protocol.Tests;

public class TopicValidationTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("a/b/c")]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("#")]
    [InlineData("+")]
    [InlineData("a/#")]
    [InlineData("+/+")]
    [InlineData("a/+/b")]
    [InlineData("/+/#")]
    [InlineData("$SYS/#")]
    [InlineData("+/")]
    public void WellPlacedWildcardsMakeAValidFilter(string filter)
    {
        Assert.True(TopicValidation.IsValidFilter(filter));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a#")]
    [InlineData("#/a")]
    [InlineData("a/#/")]
    [InlineData("a/b#")]
    [InlineData("a+")]
    [InlineData("+a")]
    [InlineData("a/+b/c")]
    [InlineData("##")]
    [InlineData("++")]
    public void MisplacedWildcardsMakeAnInvalidFilter(string filter)
    {
        Assert.False(TopicValidation.IsValidFilter(filter));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("a/b", true)]
    [InlineData("/", true)]
    [InlineData("$SYS/broker", true)]
    [InlineData("", false)]
    [InlineData("a/+", false)]
    [InlineData("a/#", false)]
    [InlineData("a+b", false)]
    public void TopicNameIsNonEmptyWithoutWildcards(string topic, bool valid)
    {
        Assert.Equal(valid, TopicValidation.IsValidTopicName(topic));
    }
}
