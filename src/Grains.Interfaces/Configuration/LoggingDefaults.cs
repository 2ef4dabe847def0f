namespace Broker.Grains.Configuration;

/// <summary>
/// What both roles log unless configured otherwise (<c>Logging:LogLevel:*</c> overrides each): the broker's own lines
/// at Information (listeners, mode, clients that break rules), and only warnings and errors of ASP.NET Core and
/// Orleans, whose information lines (hundreds at start, several per HTTP request) are for debugging, not operating.
/// Health probes report an outage in their answers, so the health check service's line per failed probe is off.
/// Orleans' watchdog starts its platform thread before it notes the time of the first component check, so at start
/// it warns of a stall as long as the machine's uptime; its warnings are off, its errors stay. Orleans' connection
/// manager warns with a stack trace at every failed attempt to reach a silo that is down, and its connections at every
/// connection a silo's crash resets; the broker says it once. So it does for a silo that dies, of which Orleans warns at
/// every missed probe and errs when it cannot tell the dead silo of the gateways' clients, and for a call that timed out.
/// While the cluster's database is down, Orleans warns with a stack trace at every failed liveness write of a silo and
/// errs at every failed read of the silo list by a gateway (which keeps the silos it has): the instances say once that
/// they cannot write retained messages, and the gateways once that publishes wait. Under load, a silo whose peer died
/// errs for every message it cannot address to it until the peer is declared dead (Orleans' message center, and the
/// resilience pipeline that retries for it): the membership line says it once.
/// </summary>
public static class LoggingDefaults
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Orleans.Runtime.Watchdog"] = "Error",
        ["Logging:LogLevel:Orleans.Runtime.Messaging.ConnectionManager"] = "Error",
        ["Logging:LogLevel:Orleans.Runtime.Messaging.Connection"] = "Error",
        ["Logging:LogLevel:Orleans.Runtime.MembershipService.SiloHealthMonitor"] = "Error",
        ["Logging:LogLevel:Orleans.Runtime.CallbackData"] = "Error",
        ["Logging:LogLevel:Orleans.Runtime.GrainDirectory.ClientDirectory"] = "Critical",
        ["Logging:LogLevel:Orleans.Runtime.MembershipService.MembershipAgent"] = "Error",
        ["Logging:LogLevel:Polly"] = "Critical",
        ["Logging:LogLevel:Orleans.Messaging"] = "Critical",
        ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
    };
}
