namespace Broker.Grains.Configuration;

/// <summary>
/// The broker's own files (<c>Broker:DataPath</c>): the development certificate, and in development mode the
/// grain state (the instance catalog). The default is per user
/// (<c>~/.local/share/broker</c> on Linux, <c>%LOCALAPPDATA%\broker</c> on Windows), so that the certificate a
/// client was told to trust stays the same whichever folder the broker is started from.
/// </summary>
public static class DataFolder
{
    public static string Default
    {
        get
        {
            var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(root) ? Path.GetFullPath("data") : Path.Combine(root, "broker");
        }
    }

    public static string Resolve(string? configured) => string.IsNullOrWhiteSpace(configured) ? Default : Path.GetFullPath(configured);
}
