namespace Broker.Gateway.Admin;

/// <summary>The admin API's settings (section <c>Broker:Admin</c>).</summary>
public sealed class AdminOptions
{
    /// <summary>The bearer key admin requests must present; without one the admin API is not served at all.</summary>
    public string? Key { get; set; }
}
