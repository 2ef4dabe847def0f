namespace Broker.Gateway.Admin;

/// <summary>The admin API's settings (section <c>Broker:Admin</c>).</summary>
public sealed class AdminOptions
{
    /// <summary>The bearer key admin requests must present; without one (nor <see cref="KeyFile"/>) the admin API is not served at all.</summary>
    public string? Key { get; set; }

    /// <summary>A file that holds the key (e.g. a mounted Kubernetes secret), so that it need not be in the environment or on a command line.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The key and where it came from, or null when none is configured.</summary>
    /// <exception cref="InvalidOperationException">The key file cannot be read or is empty.</exception>
    public (string Key, string Source)? ResolveKey()
    {
        if (!string.IsNullOrEmpty(Key))
        {
            return (Key, "Broker:Admin:Key");
        }

        if (string.IsNullOrEmpty(KeyFile))
        {
            return null;
        }

        string key;
        try
        {
            key = File.ReadAllText(KeyFile).Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Broker:Admin:KeyFile '{KeyFile}' cannot be read: {exception.Message}", exception);
        }

        return key.Length > 0 ? (key, $"the file {KeyFile}") : throw new InvalidOperationException($"Broker:Admin:KeyFile '{KeyFile}' is empty");
    }
}
