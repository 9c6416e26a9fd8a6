using System.Globalization;
using System.Text;

namespace XlaPrune.BindGen;

/// <summary>Turns a <see cref="HeaderModel"/> into C# sources and xUnit layout tests, deterministically.</summary>
internal sealed class CSharpWriter(GeneratorOptions options, string provenance)
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>File name (no folder) to content, for the bindings folder.</summary>
    public SortedDictionary<string, string> WriteBindings(HeaderModel model)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        files["AssemblyAttributes.g.cs"] = File(null, w =>
        {
            w.AppendLine("using System.Runtime.CompilerServices;");
            w.AppendLine();
            w.AppendLine("// Every type here is blittable: calls through the PJRT table need no marshalling stubs.");
            w.AppendLine("[assembly: DisableRuntimeMarshalling]");
        });

        files["NativeTypeNameAttribute.g.cs"] = File(options.Namespace, w =>
        {
            w.AppendLine("/// <summary>The C spelling of a field whose C# type differs from it.</summary>");
            w.AppendLine("[System.AttributeUsage(System.AttributeTargets.Field, AllowMultiple = false)]");
            w.AppendLine("internal sealed class NativeTypeNameAttribute(string name) : System.Attribute");
            w.AppendLine("{");
            w.AppendLine("    /// <summary>The C type as written in the header.</summary>");
            w.AppendLine("    public string Name { get; } = name;");
            w.AppendLine("}");
        });

        if (model.Records.Any(r => r.IsSized))
        {
            files["IStructSize.g.cs"] = File(options.Namespace, w =>
            {
                w.AppendLine("/// <summary>");
                w.AppendLine("/// A struct whose first field is <c>size_t struct_size</c>, the header's versioning rule: callers store");
                w.AppendLine("/// <see cref=\"StructSize\"/> there, so generic code can fill in any such struct.");
                w.AppendLine("/// </summary>");
                w.AppendLine("public interface IStructSize");
                w.AppendLine("{");
                w.AppendLine("    /// <summary>The struct's <c>STRUCT_SIZE</c>: end of the last field, without trailing padding.</summary>");
                w.AppendLine("    static abstract nuint StructSize { get; }");
                w.AppendLine("}");
            });
        }

        if (model.Constants.Count > 0)
        {
            files[options.ConstantsClass + ".g.cs"] = File(options.Namespace, w =>
            {
                w.AppendLine("/// <summary>Integer constants of the header (object-like macros and unnamed enums).</summary>");
                w.AppendLine($"public static class {options.ConstantsClass}");
                w.AppendLine("{");
                foreach (var constant in model.Constants)
                {
                    w.AppendLine($"    public const {constant.CSharpType} {Identifier(constant.Name)} = {constant.Value};");
                }

                w.AppendLine("}");
            });
        }

        foreach (var enumModel in model.Enums)
        {
            files[enumModel.Name + ".g.cs"] = File(options.Namespace, w =>
            {
                w.AppendLine($"public enum {enumModel.Name}");
                w.AppendLine("{");
                foreach (var (name, value) in enumModel.Members)
                {
                    w.AppendLine($"    {Identifier(name)} = {value.ToString(CultureInfo.InvariantCulture)},");
                }

                w.AppendLine("}");
            });
        }

        foreach (var record in model.Records)
        {
            files[record.Name + ".g.cs"] = File(options.Namespace, w => WriteRecord(w, record));
        }

        return files;
    }

    private static void WriteRecord(StringBuilder w, RecordModel record)
    {
        if (record.IsOpaque)
        {
            w.AppendLine($"/// <summary>Opaque C type <c>{record.Name}</c>: only ever used through pointers.</summary>");
            w.AppendLine($"public struct {record.Name}");
            w.AppendLine("{");
            w.AppendLine("}");
            return;
        }

        var isExplicit = record.NeedsExplicitLayout;
        w.AppendLine(isExplicit
            ? $"[StructLayout(LayoutKind.Explicit, Size = {record.Size})]"
            : "[StructLayout(LayoutKind.Sequential)]");
        w.AppendLine(record.IsSized ? $"public unsafe struct {record.Name} : IStructSize" : $"public unsafe struct {record.Name}");
        w.AppendLine("{");
        if (record.StructSize is { } structSize)
        {
            w.AppendLine($"    /// <summary><c>{record.Name}_STRUCT_SIZE</c>: end of the last field, without trailing padding.</summary>");
            w.AppendLine($"    public const int STRUCT_SIZE = {structSize.ToString(CultureInfo.InvariantCulture)};");
            w.AppendLine();
            if (record.IsSized)
            {
                w.AppendLine("    static nuint IStructSize.StructSize => STRUCT_SIZE;");
                w.AppendLine();
            }
        }

        foreach (var field in record.Fields)
        {
            if (isExplicit)
            {
                w.AppendLine($"    [FieldOffset({field.Offset.ToString(CultureInfo.InvariantCulture)})]");
            }

            if (!string.Equals(field.CType, field.CSharpType, StringComparison.Ordinal))
            {
                w.AppendLine($"    [NativeTypeName(\"{field.CType}\")]");
            }

            w.AppendLine($"    public {field.CSharpType} {Identifier(field.Name)};");
        }

        w.AppendLine("}");
    }

    /// <summary>File name to content, for the layout test folder.</summary>
    public SortedDictionary<string, string> WriteLayoutTests(HeaderModel model)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        files[options.TestClass + ".g.cs"] = File(options.TestNamespace, w =>
        {
            w.AppendLine($"using {options.Namespace};");
            w.AppendLine();
            w.AppendLine("/// <summary>Sizes and field offsets of every generated struct, as libclang computed them for the header.</summary>");
            w.AppendLine($"public sealed unsafe class {options.TestClass}");
            w.AppendLine("{");
            var first = true;
            foreach (var record in model.Records.Where(r => !r.IsOpaque))
            {
                if (!first)
                {
                    w.AppendLine();
                }

                first = false;
                w.AppendLine("    [Fact]");
                w.AppendLine($"    public void {record.Name}_matches_the_C_layout()");
                w.AppendLine("    {");
                w.AppendLine($"        Assert.Equal({record.Size}, sizeof({record.Name}));");
                if (record.StructSize is { } structSize)
                {
                    w.AppendLine($"        Assert.Equal({structSize}, {record.Name}.STRUCT_SIZE);");
                }

                if (record.Fields.Count > 0)
                {
                    w.AppendLine($"        {record.Name} value = default;");
                    w.AppendLine("        var start = (byte*)&value;");
                    foreach (var field in record.Fields)
                    {
                        w.AppendLine($"        Assert.Equal({field.Offset}, (byte*)&value.{Identifier(field.Name)} - start);");
                    }
                }

                w.AppendLine("    }");
            }

            w.AppendLine("}");
        });
        return files;
    }

    private string File(string? ns, Action<StringBuilder> body)
    {
        var w = new StringBuilder();
        w.AppendLine("// <auto-generated/>");
        foreach (var line in options.LicenseHeader)
        {
            w.AppendLine(line.Length == 0 ? "//" : "// " + line);
        }

        w.AppendLine("// " + provenance);
        w.AppendLine("// Regenerate with BindGen; do not edit by hand.");
        w.AppendLine();
        w.AppendLine("#nullable enable");
        w.AppendLine();
        if (ns is not null)
        {
            var bodyText = new StringBuilder();
            body(bodyText);
            if (bodyText.ToString().Contains("StructLayout", StringComparison.Ordinal))
            {
                w.AppendLine("using System.Runtime.InteropServices;");
                w.AppendLine();
            }

            w.AppendLine($"namespace {ns};");
            w.AppendLine();
            w.Append(bodyText);
        }
        else
        {
            body(w);
        }

        return w.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static string Identifier(string name) => s_keywords.Contains(name) ? "@" + name : name;
}
