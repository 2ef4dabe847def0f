using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Broker.Gateway.Tests.Architecture;

/// <summary>
/// Decodes a signature blob (of a field, method, local variables, type specification or generic instantiation) into
/// every type it names, generic arguments, array elements and modifiers included.
/// </summary>
internal sealed class SignatureTypes : ISignatureTypeProvider<ImmutableArray<TypeName>, object?>
{
    public static readonly SignatureTypes Instance = new();

    public ImmutableArray<TypeName> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
        [CompiledAssembly.NameOf(reader, handle)];

    public ImmutableArray<TypeName> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
        [CompiledAssembly.NameOf(reader, handle)];

    public ImmutableArray<TypeName> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public ImmutableArray<TypeName> GetGenericInstantiation(ImmutableArray<TypeName> genericType, ImmutableArray<ImmutableArray<TypeName>> typeArguments) =>
        [.. genericType, .. typeArguments.SelectMany(argument => argument)];

    public ImmutableArray<TypeName> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeName>> signature) =>
        [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(parameter => parameter)];

    public ImmutableArray<TypeName> GetModifiedType(ImmutableArray<TypeName> modifier, ImmutableArray<TypeName> unmodifiedType, bool isRequired) =>
        [.. modifier, .. unmodifiedType];

    public ImmutableArray<TypeName> GetArrayType(ImmutableArray<TypeName> elementType, ArrayShape shape) => elementType;

    public ImmutableArray<TypeName> GetSZArrayType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetByReferenceType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetPointerType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetPinnedType(ImmutableArray<TypeName> elementType) => elementType;

    public ImmutableArray<TypeName> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

    public ImmutableArray<TypeName> GetGenericMethodParameter(object? genericContext, int index) => [];

    public ImmutableArray<TypeName> GetGenericTypeParameter(object? genericContext, int index) => [];
}
