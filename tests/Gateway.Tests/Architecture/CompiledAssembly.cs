using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Broker.Gateway.Tests.Architecture;

/// <summary>
/// What a compiled assembly's types reference, read from its metadata: for each type, the types named by its base
/// type, interfaces, generic constraints, field and method signatures, the attributes on it and on its fields and
/// methods, and by its method bodies (local variables, caught exceptions and the operand of every instruction that
/// names a type, field or method, with that member's declaring type and signature). Nested types count for their outermost declaring type, so that the
/// closures, lambdas and async state machines the compiler makes are charged to the type whose code they hold.
/// </summary>
internal sealed class CompiledAssembly
{
    /// <summary>The operand kind of every IL instruction, by its one- or two-byte code.</summary>
    private static readonly FrozenDictionary<ushort, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToFrozenDictionary(code => (ushort)code.Value, code => code.OperandType);

    private CompiledAssembly(string name, ImmutableArray<string> referencedAssemblies, ImmutableArray<TypeDependency> dependencies)
    {
        Name = name;
        ReferencedAssemblies = referencedAssemblies;
        Dependencies = dependencies;
    }

    public string Name { get; }

    /// <summary>The assemblies its metadata refers to, whether or not a type's code uses them.</summary>
    public ImmutableArray<string> ReferencedAssemblies { get; }

    public ImmutableArray<TypeDependency> Dependencies { get; }

    public static CompiledAssembly Read(string path)
    {
        using var file = new PEReader(File.OpenRead(path));
        var reader = file.GetMetadataReader();
        var dependencies = new HashSet<TypeDependency>();
        var named = new List<TypeName>();
        foreach (var handle in reader.TypeDefinitions)
        {
            named.Clear();
            AddDefinition(file, reader, reader.GetTypeDefinition(handle), named);
            var from = NameOf(reader, Outermost(reader, handle));
            dependencies.UnionWith(named.Select(to => new TypeDependency(from, to)));
        }

        var referencedAssemblies = reader.AssemblyReferences.Select(assembly => reader.GetString(reader.GetAssemblyReference(assembly).Name));
        return new CompiledAssembly(reader.GetString(reader.GetAssemblyDefinition().Name), [.. referencedAssemblies], [.. dependencies]);
    }

    public static TypeName NameOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
        {
            var outer = NameOf(reader, declaring);
            return outer with { Name = $"{outer.Name}+{name}" };
        }

        return new TypeName(reader.GetString(type.Namespace), name, reader.GetString(reader.GetAssemblyDefinition().Name));
    }

    /// <summary>A referenced type's name and the assembly that defines it, found through its resolution scope.</summary>
    public static TypeName NameOf(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        var scope = type.ResolutionScope;
        switch (scope.Kind)
        {
            case HandleKind.TypeReference:
                var outer = NameOf(reader, (TypeReferenceHandle)scope);
                return outer with { Name = $"{outer.Name}+{name}" };
            case HandleKind.AssemblyReference:
                var assembly = reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name);
                return new TypeName(reader.GetString(type.Namespace), name, assembly);
            default:
                // The module itself (or another module of the same assembly).
                return new TypeName(reader.GetString(type.Namespace), name, reader.GetString(reader.GetAssemblyDefinition().Name));
        }
    }

    private static TypeDefinitionHandle Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        for (var declaring = handle; !declaring.IsNil; declaring = reader.GetTypeDefinition(declaring).GetDeclaringType())
        {
            handle = declaring;
        }

        return handle;
    }

    private static void AddDefinition(PEReader file, MetadataReader reader, TypeDefinition type, List<TypeName> named)
    {
        if (!type.BaseType.IsNil)
        {
            AddEntity(reader, type.BaseType, named);
        }

        foreach (var implementation in type.GetInterfaceImplementations())
        {
            AddEntity(reader, reader.GetInterfaceImplementation(implementation).Interface, named);
        }

        AddConstraints(reader, type.GetGenericParameters(), named);
        AddAttributes(reader, type.GetCustomAttributes(), named);
        foreach (var handle in type.GetFields())
        {
            var field = reader.GetFieldDefinition(handle);
            named.AddRange(field.DecodeSignature(SignatureTypes.Instance, null));
            AddAttributes(reader, field.GetCustomAttributes(), named);
        }

        foreach (var handle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(handle);
            AddSignature(method.DecodeSignature(SignatureTypes.Instance, null), named);
            AddConstraints(reader, method.GetGenericParameters(), named);
            AddAttributes(reader, method.GetCustomAttributes(), named);
            if (method.RelativeVirtualAddress != 0)
            {
                AddBody(reader, file.GetMethodBody(method.RelativeVirtualAddress), named);
            }
        }
    }

    private static void AddBody(MetadataReader reader, MethodBodyBlock body, List<TypeName> named)
    {
        if (!body.LocalSignature.IsNil)
        {
            AddEntity(reader, body.LocalSignature, named);
        }

        foreach (var region in body.ExceptionRegions)
        {
            if (region.Kind == ExceptionRegionKind.Catch)
            {
                AddEntity(reader, region.CatchType, named);
            }
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int code = il.ReadByte();
            if (code == 0xFE)
            {
                code = 0xFE00 | il.ReadByte();
            }

            switch (Operands[(ushort)code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    AddEntity(reader, MetadataTokens.EntityHandle(il.ReadInt32()), named);
                    break;
                case OperandType.InlineSwitch:
                    // Read the count first: `Offset +=` would take the offset from before the count.
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineString or OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                default:
                    throw new InvalidOperationException($"IL opcode 0x{code:X} has an operand this reader does not know");
            }
        }
    }

    /// <summary>Adds the types a metadata token names: a type itself, or a member's declaring type and signature.</summary>
    private static void AddEntity(MetadataReader reader, EntityHandle handle, List<TypeName> named)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                named.Add(NameOf(reader, (TypeDefinitionHandle)handle));
                break;
            case HandleKind.TypeReference:
                named.Add(NameOf(reader, (TypeReferenceHandle)handle));
                break;
            case HandleKind.TypeSpecification:
                named.AddRange(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(SignatureTypes.Instance, null));
                break;
            case HandleKind.FieldDefinition:
                var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                named.Add(NameOf(reader, field.GetDeclaringType()));
                named.AddRange(field.DecodeSignature(SignatureTypes.Instance, null));
                break;
            case HandleKind.MethodDefinition:
                var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                named.Add(NameOf(reader, method.GetDeclaringType()));
                AddSignature(method.DecodeSignature(SignatureTypes.Instance, null), named);
                break;
            case HandleKind.MemberReference:
                var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                AddEntity(reader, member.Parent, named);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    AddSignature(member.DecodeMethodSignature(SignatureTypes.Instance, null), named);
                }
                else
                {
                    named.AddRange(member.DecodeFieldSignature(SignatureTypes.Instance, null));
                }

                break;
            case HandleKind.MethodSpecification:
                var instantiation = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddEntity(reader, instantiation.Method, named);
                named.AddRange(instantiation.DecodeSignature(SignatureTypes.Instance, null).SelectMany(argument => argument));
                break;
            case HandleKind.StandaloneSignature:
                var signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.LocalVariables)
                {
                    named.AddRange(signature.DecodeLocalSignature(SignatureTypes.Instance, null).SelectMany(local => local));
                }
                else
                {
                    AddSignature(signature.DecodeMethodSignature(SignatureTypes.Instance, null), named);
                }

                break;
            case HandleKind.ModuleReference:
                // The parent of a member of a module's global type: it names no type.
                break;
            default:
                throw new InvalidOperationException($"A {handle.Kind} token where a type or member was expected");
        }
    }

    private static void AddSignature(MethodSignature<ImmutableArray<TypeName>> signature, List<TypeName> named)
    {
        named.AddRange(signature.ReturnType);
        named.AddRange(signature.ParameterTypes.SelectMany(parameter => parameter));
    }

    private static void AddConstraints(MetadataReader reader, GenericParameterHandleCollection parameters, List<TypeName> named)
    {
        foreach (var parameter in parameters)
        {
            foreach (var constraint in reader.GetGenericParameter(parameter).GetConstraints())
            {
                AddEntity(reader, reader.GetGenericParameterConstraint(constraint).Type, named);
            }
        }
    }

    /// <summary>Adds each attribute's type (through its constructor); types given as attribute arguments are not read.</summary>
    private static void AddAttributes(MetadataReader reader, CustomAttributeHandleCollection attributes, List<TypeName> named)
    {
        foreach (var attribute in attributes)
        {
            AddEntity(reader, reader.GetCustomAttribute(attribute).Constructor, named);
        }
    }
}
