namespace Broker.Gateway.Tests.Architecture;

/// <summary>
/// A type as compiled metadata names it: the namespace of its outermost declaring type, its name (nested types as
/// <c>Outer+Inner</c>) and the assembly that defines it.
/// </summary>
internal readonly record struct TypeName(string Namespace, string Name, string Assembly)
{
    public string FullName => Namespace.Length == 0 ? Name : $"{Namespace}.{Name}";

    /// <summary>Whether the type is in <paramref name="root"/> or a namespace below it.</summary>
    public bool IsIn(string root) =>
        Namespace == root || Namespace.StartsWith(root + ".", StringComparison.Ordinal);

    public override string ToString() => $"{FullName} [{Assembly}]";
}
