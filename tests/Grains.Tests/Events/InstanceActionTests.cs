using System.Text;
using Broker.Grains.Events;

namespace Broker.Grains.Tests.Events;

public sealed class InstanceActionTests
{
    [Fact]
    public void CloseWithATargetIsParsed() =>
        Assert.Equal(new InstanceAction("close", "abc"), InstanceAction.Parse(Encoding.UTF8.GetBytes("""{"type":"close","target_id":"abc","extra":1}""")));

    [Theory]
    [InlineData("")]
    [InlineData("close")]
    [InlineData("[]")]
    [InlineData("""{"type":"close"}""")]
    [InlineData("""{"type":"close","target_id":5}""")]
    [InlineData("""{"type":"open","target_id":"abc"}""")]
    [InlineData("""{"type":"close","target_id":"abc\""")]
    public void AnythingElseIsNotAnAction(string payload) => Assert.Null(InstanceAction.Parse(Encoding.UTF8.GetBytes(payload)));
}
