namespace XlaPrune.BindGen;

/// <summary>The C-to-C# type mapping of <see cref="HeaderReader"/>.</summary>
internal sealed unsafe partial class HeaderReader
{
    // Typedef names whose C# spelling must not be lost to canonicalisation (size_t vs unsigned long).
    private static readonly Dictionary<string, string> s_fixedTypedefs = new(StringComparer.Ordinal)
    {
        ["size_t"] = "nuint",
        ["uintptr_t"] = "nuint",
        ["ssize_t"] = "nint",
        ["ptrdiff_t"] = "nint",
        ["intptr_t"] = "nint",
        ["int8_t"] = "sbyte",
        ["uint8_t"] = "byte",
        ["int16_t"] = "short",
        ["uint16_t"] = "ushort",
        ["int32_t"] = "int",
        ["uint32_t"] = "uint",
        ["int64_t"] = "long",
        ["uint64_t"] = "ulong",
    };

    private static CXType Unelaborate(CXType type)
    {
        while (type.Kind == CXTypeKind.Elaborated)
        {
            type = Clang.GetNamedType(type);
        }

        return type;
    }

    /// <summary>The C# spelling of a C type, keeping record and enum names and size_t-like typedefs.</summary>
    private string MapType(CXType type)
    {
        type = Unelaborate(type);
        switch (type.Kind)
        {
            case CXTypeKind.Typedef:
                {
                    var typedefName = Clang.Take(Clang.GetTypedefName(type));
                    if (s_fixedTypedefs.TryGetValue(typedefName, out var fixedName))
                    {
                        return fixedName;
                    }

                    var underlying = Clang.GetTypedefDeclUnderlyingType(Clang.GetTypeDeclaration(type));
                    return MapType(underlying);
                }

            case CXTypeKind.Pointer:
                {
                    var pointee = Desugar(Clang.GetPointeeType(type));
                    if (pointee.Kind == CXTypeKind.FunctionProto)
                    {
                        var parts = new List<string>();
                        var count = Clang.GetNumArgTypes(pointee);
                        for (uint i = 0; i < count; i++)
                        {
                            parts.Add(MapType(Clang.GetArgType(pointee, i)));
                        }

                        parts.Add(MapType(Clang.GetResultType(pointee)));
                        return $"delegate* unmanaged[Cdecl]<{string.Join(", ", parts)}>";
                    }

                    if (pointee.Kind == CXTypeKind.FunctionNoProto)
                    {
                        return "void*";
                    }

                    return MapType(pointee) + "*";
                }

            case CXTypeKind.Record or CXTypeKind.Enum:
                return NameOf(Clang.GetTypeDeclaration(type));

            case CXTypeKind.Void: return "void";
            case CXTypeKind.Bool: return "bool";
            case CXTypeKind.CharS or CXTypeKind.CharU or CXTypeKind.UChar: return "byte";
            case CXTypeKind.SChar: return "sbyte";
            case CXTypeKind.Short: return "short";
            case CXTypeKind.UShort: return "ushort";
            case CXTypeKind.Int: return "int";
            case CXTypeKind.UInt: return "uint";
            case CXTypeKind.Long or CXTypeKind.LongLong: return "long";
            case CXTypeKind.ULong or CXTypeKind.ULongLong: return "ulong";
            case CXTypeKind.Float: return "float";
            case CXTypeKind.Double: return "double";
            default:
                throw new InvalidOperationException($"BindGen has no C# mapping for C type '{Clang.Spelling(type)}' (kind {(int)type.Kind}).");
        }
    }

    // Looks through typedefs of function types, keeping the sugar of their parameters.
    private static CXType Desugar(CXType type)
    {
        while (true)
        {
            type = Unelaborate(type);
            if (type.Kind != CXTypeKind.Typedef)
            {
                return type;
            }

            var name = Clang.Take(Clang.GetTypedefName(type));
            var underlying = Unelaborate(Clang.GetTypedefDeclUnderlyingType(Clang.GetTypeDeclaration(type)));
            if (s_fixedTypedefs.ContainsKey(name) || underlying.Kind is not (CXTypeKind.FunctionProto or CXTypeKind.FunctionNoProto or CXTypeKind.Typedef or CXTypeKind.Elaborated))
            {
                return type;
            }

            type = underlying;
        }
    }
}
