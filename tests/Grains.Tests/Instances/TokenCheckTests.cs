using Broker.Grains.Instances;

namespace Broker.Grains.Tests.Instances;

public sealed class TokenCheckTests
{
    private static readonly InstanceDefinition Instance = new(
        "demo",
        [Token("writer", "write-secret"), Token("reader", "read-secret", readOnly: true)]);

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
    public void ATokenWithoutAHashLetsNobodyInEvenWithAPlainSecret()
    {
        var check = new TokenCheck(new InstanceDefinition("demo", [new TokenDefinition("plain", "plain-secret"), new TokenDefinition("empty", "")]));

        Assert.Equal((TokenAccess.Denied, null), check.Check("plain-secret"));
        Assert.Equal((TokenAccess.Denied, null), check.Check("x"));
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

    private static TokenDefinition Token(string id, string secret, bool readOnly = false) => new(id, "", readOnly, TokenSecrets.Hash(secret));
}
