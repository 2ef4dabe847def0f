using Broker.Grains.Configuration;
using Microsoft.Extensions.Logging;

namespace Broker.Silo;

/// <summary>The silo's own lines: with the default logging, Orleans says nothing at Information.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Broker silo ({Mode} mode) listening: silo-to-silo on port {SiloPort}, gateways on port {GatewayPort}")]
    public static partial void Listening(ILogger logger, BrokerMode mode, int siloPort, int gatewayPort);
}
