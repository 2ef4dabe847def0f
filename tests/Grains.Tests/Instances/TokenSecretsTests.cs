using System.Security.Cryptography;
using System.Text;
using Broker.Grains.Instances;

namespace Broker.Grains.Tests.Instances;

public sealed class TokenSecretsTests
{
    [Fact]
    public void AHashIsSha256OfItsSaltAndTheSecret()
    {
        var hash = TokenSecrets.Hash("secret");

        Assert.Equal(TokenSecrets.SaltSize, hash.Salt.Length);
        Assert.Equal(SHA256.HashData([.. hash.Salt, .. "secret"u8]), hash.Digest);
    }

    [Fact]
    public void AHashMatchesItsSecretAndNothingElse()
    {
        var hash = TokenSecrets.Hash("secret");

        Assert.True(TokenSecrets.Matches(hash, "secret"u8));
        Assert.False(TokenSecrets.Matches(hash, "Secret"u8));
        Assert.False(TokenSecrets.Matches(hash, "secret2"u8));
        Assert.False(TokenSecrets.Matches(hash, ""u8));
    }

    [Fact]
    public void TheSameSecretHashesDifferentlyEachTime()
    {
        var first = TokenSecrets.Hash("secret");
        var second = TokenSecrets.Hash("secret");

        Assert.NotEqual(first.Salt, second.Salt);
        Assert.NotEqual(first.Digest, second.Digest);
    }

    [Fact]
    public void ALongSecretIsHashedWhole()
    {
        var secret = new string('x', 2000);
        var hash = TokenSecrets.Hash(secret);

        Assert.True(TokenSecrets.Matches(hash, Encoding.UTF8.GetBytes(secret)));
        Assert.False(TokenSecrets.Matches(hash, Encoding.UTF8.GetBytes(secret[..1999] + "y")));
    }
}
