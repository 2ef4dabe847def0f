using System.Security.Cryptography;
using System.Text;

namespace Broker.Grains.Instances;

/// <summary>
/// How token secrets are hashed and checked: a random 16-byte salt per token and SHA-256 of salt || UTF-8
/// secret, compared in fixed time. Deliberately not a slow key derivation (PBKDF2, scrypt, Argon2): every
/// CONNECT checks its password against the instance's tokens, and a KDF's milliseconds of CPU per token would
/// turn a reconnect storm into minutes of work and make CONNECT a cheap way to load the silo. Secrets the admin
/// API generates carry 192 random bits, beyond any offline guessing of a fast hash (a secret someone chose is
/// only as safe as it is long and random); the salt keeps equal secrets from showing as equal hashes and rules
/// out precomputed tables.
/// </summary>
internal static class TokenSecrets
{
    public const int SaltSize = 16;

    /// <summary>Secrets up to this many UTF-8 bytes are hashed without allocating.</summary>
    private const int StackLimit = 512;

    public static SecretHash Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        return new SecretHash(salt, Digest(salt, Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Whether <paramref name="secret"/> (UTF-8) is the secret that <paramref name="hash"/> was made of.</summary>
    public static bool Matches(SecretHash hash, ReadOnlySpan<byte> secret)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(hash.Salt, secret, digest);
        return CryptographicOperations.FixedTimeEquals(digest, hash.Digest);
    }

    private static byte[] Digest(byte[] salt, ReadOnlySpan<byte> secret)
    {
        var digest = new byte[SHA256.HashSizeInBytes];
        Digest(salt, secret, digest);
        return digest;
    }

    private static void Digest(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret, Span<byte> digest)
    {
        var length = salt.Length + secret.Length;
        var input = length <= StackLimit ? stackalloc byte[length] : new byte[length];
        salt.CopyTo(input);
        secret.CopyTo(input[salt.Length..]);
        SHA256.HashData(input, digest);
        CryptographicOperations.ZeroMemory(input);
    }
}
