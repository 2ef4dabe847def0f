using System.Text;

namespace Broker.Grains.Instances;

/// <summary>
/// What an instance's definition lets a client do: the access a secret gives and the token it matched, and
/// whether a token that let a connection in still exists. Without a definition (the instance does not exist)
/// nothing gets in. A secret is checked against each token's salted hash (see <see cref="TokenSecrets"/>), in
/// time that does not depend on where it differs; a token without a hash lets nobody in.
/// </summary>
internal sealed class TokenCheck(InstanceDefinition? definition)
{
    public bool InstanceExists => definition is not null;

    /// <summary>What a secret (null: none) lets a client do, and the id of the token it matched.</summary>
    public (TokenAccess Access, string? TokenId) Check(string? secret)
    {
        if (definition is not { } instance)
        {
            return (TokenAccess.Denied, null);
        }

        var anonymous = instance.AllowAnonymous ? TokenAccess.ReadWrite : TokenAccess.Denied;
        if (secret is null)
        {
            return (anonymous, null);
        }

        var presented = Encoding.UTF8.GetBytes(secret);
        foreach (var token in instance.Tokens)
        {
            if (token.Hash is { } hash && TokenSecrets.Matches(hash, presented))
            {
                return (token.ReadOnly ? TokenAccess.ReadOnly : TokenAccess.ReadWrite, token.Id);
            }
        }

        return (secret.Length == 0 ? anonymous : TokenAccess.Denied, null);
    }

    /// <summary>
    /// Whether a connection let in with a token (null: without one) may stay, or be restored: the instance exists
    /// and, if it came with a token, the token does too.
    /// </summary>
    public bool IsValid(string? tokenId) =>
        definition is { } instance && (tokenId is null || instance.Tokens.Any(token => token.Id == tokenId));
}
