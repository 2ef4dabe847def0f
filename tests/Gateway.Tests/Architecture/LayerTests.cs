using Broker.Gateway.Connections;
using Broker.Gateway.Hosting;
using Broker.Gateway.Routing;
using Broker.Grains;
using Broker.Grains.Configuration;
using Broker.Protocol;
using GrainsHosting = Broker.Grains.Hosting.SiloBuilderExtensions;

namespace Broker.Gateway.Tests.Architecture;

/// <summary>
/// The layers, checked on the compiled assemblies. The gateway's folders share one assembly, so the compiler lets
/// any of them use any other; these rules say which may, and name every type that breaks one.
/// </summary>
public sealed class LayerTests
{
    private const string Connections = "Broker.Gateway.Connections";
    private const string Routing = "Broker.Gateway.Routing";

    private static readonly Lazy<CompiledAssembly> Gateway = new(() => CompiledAssembly.Read(typeof(GatewayApplication).Assembly.Location));
    private static readonly Lazy<CompiledAssembly> Protocol = new(() => CompiledAssembly.Read(typeof(PacketReader).Assembly.Location));

    /// <summary>The assembly of the grain implementations (src/Grains), which shares namespaces with the grain interfaces' assembly.</summary>
    private static readonly string GrainsAssembly = AssemblyName(typeof(GrainsHosting));

    [Fact]
    public void RoutingDoesNotReferenceConnections() =>
        AssertNone(Gateway.Value.Dependencies.Where(dependency =>
            dependency.From.IsIn(Routing) && dependency.To.Assembly == Gateway.Value.Name && dependency.To.IsIn(Connections)));

    [Fact]
    public void ConnectionsReachInstancesOnlyThroughRoutingAndReferenceNoGrainInterface() =>
        AssertNone(Gateway.Value.Dependencies.Where(dependency => dependency.From.IsIn(Connections) && IsGrainInterface(dependency.To)));

    [Fact]
    public void OnlyTheDevelopmentCoHostingCodeReferencesTheGrainsAssembly() =>
        AssertNone(Gateway.Value.Dependencies.Where(dependency =>
            dependency.To.Assembly == GrainsAssembly && dependency.From.FullName != typeof(GatewayApplication).FullName));

    [Fact]
    public void ProtocolReferencesNeitherOrleansNorAnyOtherBrokerAssembly()
    {
        var protocol = Protocol.Value;
        bool Forbidden(string assembly) =>
            assembly.StartsWith("Orleans", StringComparison.Ordinal)
            || assembly.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)
            || (assembly.StartsWith("Broker.", StringComparison.Ordinal) && assembly != protocol.Name);

        AssertNone(
            protocol.Dependencies.Where(dependency => Forbidden(dependency.To.Assembly)).Select(dependency => dependency.ToString())
                .Concat(protocol.ReferencedAssemblies.Where(Forbidden).Select(assembly => $"{protocol.Name} references the assembly {assembly}")));
    }

    [Fact]
    public void CheckerFindsATypeCaughtInsideAnAsyncMethodOfTheConnection() =>
        AssertFound(typeof(MqttConnection), typeof(InstanceUnavailableException));

    [Fact]
    public void CheckerFindsTheConnectionsInterfaceAndTheSessionsCallIntoTheInstanceDirectory()
    {
        AssertFound(typeof(MqttConnection), typeof(IConnectionSink));
        AssertFound(typeof(MqttSession), typeof(IInstanceDirectory));
    }

    [Fact]
    public void CheckerFindsTheGrainsAssemblyCalledFromALambdaOfTheDevelopmentCoHostingCode()
    {
        AssertFound(typeof(GatewayApplication), typeof(GrainsHosting));
        Assert.Contains(Gateway.Value.Dependencies, dependency =>
            dependency.From.FullName == typeof(GatewayApplication).FullName && dependency.To.Assembly == GrainsAssembly);
    }

    [Fact]
    public void CheckerTellsTheGrainsAssemblyFromTheGrainInterfacesAssemblyThatSharesItsNamespaces()
    {
        var mode = FindReference(typeof(GatewayApplication), typeof(BrokerMode));
        Assert.Equal(AssemblyName(typeof(IInstanceGrain)), mode.Assembly);
        Assert.NotEqual(GrainsAssembly, mode.Assembly);
    }

    [Fact]
    public void CheckerFindsRoutingCallingTheInstanceGrainAndTakesItForAGrainInterface()
    {
        var grain = FindReference(typeof(InstanceRouter), typeof(IInstanceGrain));
        Assert.True(IsGrainInterface(grain));
        Assert.True(IsGrainInterface(FindReference(typeof(InstanceLinks), typeof(IInstanceGrain))));
    }

    private static string AssemblyName(Type type) => type.Assembly.GetName().Name!;

    /// <summary>Whether a referenced type is an Orleans grain interface (the broker's, or one of Orleans' own).</summary>
    private static bool IsGrainInterface(TypeName type) =>
        Type.GetType($"{type.FullName}, {type.Assembly}") is { IsInterface: true } resolved && typeof(IGrain).IsAssignableFrom(resolved);

    private static TypeName FindReference(Type from, Type to)
    {
        AssertFound(from, to);
        return Gateway.Value.Dependencies.First(dependency => dependency.From.FullName == from.FullName && dependency.To.FullName == to.FullName).To;
    }

    private static void AssertFound(Type from, Type to) =>
        Assert.Contains(
            new TypeDependency(new TypeName(from.Namespace!, from.Name, AssemblyName(from)), new TypeName(to.Namespace!, to.Name, AssemblyName(to))),
            Gateway.Value.Dependencies);

    private static void AssertNone(IEnumerable<TypeDependency> forbidden) => AssertNone(forbidden.Select(dependency => dependency.ToString()));

    private static void AssertNone(IEnumerable<string> forbidden)
    {
        var found = forbidden.Order(StringComparer.Ordinal).ToList();
        if (found.Count > 0)
        {
            Assert.Fail($"{found.Count} forbidden references:\n{string.Join('\n', found)}");
        }
    }
}
