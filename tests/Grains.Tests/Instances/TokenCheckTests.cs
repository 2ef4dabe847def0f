using Broker.Grains.Instances;

namespace Broker.Grains.Tests.Instances;

public sealed class TokenCheckTests
{
    private static readonly InstanceDefinition Instance = new(
        "demo",
        [new TokenDefinition("writer", "write-secret"), new TokenDefinition("reader", "read-secret", ReadOnly: true)]);

    [Fact]
    public void ATokensSecretGivesItsAccessAndNamesTheToken()
    {
        var check = new TokenCheck(Instance);

        Assert.Equal((TokenAccess.ReadWrite, "writer"), check.Check("write-secret"));
        Assert.Equal((TokenAccess.ReadOnly, "reader"), check.Check("read-secret"));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("write-secre")]
    [InlineData("write-secret ")]
    [InlineData("")]
    [InlineData(null)]
    public void AnythingElseIsDeniedWithoutAnonymousAccess(string? secret) =>
        Assert.Equal((TokenAccess.Denied, null), new TokenCheck(Instance).Check(secret));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void NoSecretGetsInWhereAnonymousAccessIsAllowed(string? secret) =>
        Assert.Equal((TokenAccess.ReadWrite, null), new TokenCheck(Instance with { AllowAnonymous = true }).Check(secret));

    [Fact]
    public void AWrongSecretIsDeniedEvenWhereAnonymousAccessIsAllowed() =>
        Assert.Equal((TokenAccess.Denied, null), new TokenCheck(Instance with { AllowAnonymous = true }).Check("wrong"));

    [Fact]
    public void ATokenWithAnEmptySecretLetsNobodyIn()
    {
        var check = new TokenCheck(new InstanceDefinition("demo", [new TokenDefinition("empty", "")]));

        Assert.Equal((TokenAccess.Denied, null), check.Check(""));
    }

    [Fact]
    public void AnInstanceThatDoesNotExistLetsNobodyIn()
    {
        var check = new TokenCheck(null);

        Assert.False(check.InstanceExists);
        Assert.Equal((TokenAccess.Denied, null), check.Check("write-secret"));
        Assert.Equal((TokenAccess.Denied, null), check.Check(null));
    }

    [Fact]
    public void AConnectionStaysValidWhileItsTokenAndInstanceExist()
    {
        var check = new TokenCheck(Instance);

        Assert.True(check.InstanceExists);
        Assert.True(check.IsValid("writer"));
        Assert.True(check.IsValid(null));
        Assert.False(check.IsValid("deleted"));
    }

    [Fact]
    public void NoConnectionIsValidInAnInstanceThatDoesNotExist()
    {
        var check = new TokenCheck(null);

        Assert.False(check.IsValid("writer"));
        Assert.False(check.IsValid(null));
    }
}
