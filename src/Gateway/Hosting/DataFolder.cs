namespace Broker.Gateway.Hosting;

/// <summary>
/// The gateway's own files (<c>Broker:DataPath</c>), such as the development certificate. The default is per user
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
