namespace Broker.Grains;

/// <summary>What a token (or no token) lets a client do in an instance.</summary>
public enum TokenAccess
{
    Denied,
    ReadOnly,
    ReadWrite,
}
