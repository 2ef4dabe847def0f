namespace Broker.Gateway.Tests.Architecture;

/// <summary>A type of a compiled assembly that names another type somewhere in its metadata or code.</summary>
internal readonly record struct TypeDependency(TypeName From, TypeName To)
{
    public override string ToString() => $"{From.FullName} references {To}";
}
