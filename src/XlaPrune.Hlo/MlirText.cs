using System.Globalization;
using System.Text;

namespace XlaPrune.Hlo;

/// <summary>StableHLO text of a module in MLIR's generic op form (always parseable, no pretty-printer rules).</summary>
internal sealed class MlirText
{
    private readonly StringBuilder _sb = new();
    private int _region;

    public static string Of(HloModule module)
    {
        var w = new MlirText();
        return w.Module(module);
    }

    private string Module(HloModule m)
    {
        var entry = m.Entry;
        _sb.Append("module @").Append(Id(m.Name)).Append(" {\n  func.func public @main(");
        for (var i = 0; i < entry.ParameterOps.Count; i++)
        {
            var p = entry.ParameterOps[i];
            _sb.Append(i > 0 ? ", " : "").Append(Ssa(p, "")).Append(": ").Append(Type(p.Shape));
            var alias = m.Aliases.FirstOrDefault(a => a.ParameterNumber == i);
            if (alias is not null)
            {
                _sb.Append(CultureInfo.InvariantCulture, $" {{tf.aliasing_output = {Math.Max(alias.OutputIndex, 0)} : i32}}");
            }
        }

        var root = entry.Root;
        var results = root.Opcode == "tuple" ? root.Ops : [root];
        _sb.Append(") -> (").Append(string.Join(", ", results.Select(r => Type(r.Shape)))).Append(") {\n");
        Body(entry, "", "    ", skipRootTuple: root.Opcode == "tuple");
        _sb.Append("    func.return ").Append(string.Join(", ", results.Select(r => Ref(r, "")))).Append(" : ")
            .Append(string.Join(", ", results.Select(r => Type(r.Shape)))).Append("\n  }\n}\n");
        return _sb.ToString();
    }

    private static string Id(string s) => new([.. s.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_')]);

    private static string Ssa(HloOp op, string prefix) => "%" + prefix + op.Name;

    private static string Ref(HloOp op, string prefix) =>
        op.Opcode == "get-tuple-element" && op.Ops[0].Opcode == "rng-bit-generator"
            ? Ssa(op.Ops[0], prefix) + "#" + op.TupleIndex.ToString(CultureInfo.InvariantCulture)
            : Ssa(op, prefix);

    internal static string Element(ElementType t) => t switch
    {
        ElementType.Pred => "i1",
        ElementType.S32 => "i32",
        ElementType.U32 => "ui32",
        ElementType.U64 => "ui64",
        _ => "f32",
    };

    internal static string Type(Shape s) => s.IsTuple
        ? "tuple<" + string.Join(", ", s.TupleShapes.Select(Type)) + ">"
        : "tensor<" + string.Concat(s.Dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture) + "x")) + Element(s.ElementType) + ">";

    private static string I64s(IEnumerable<long> xs) => "array<i64" + (xs.Any() ? ": " + string.Join(", ", xs) : "") + ">";

    private static string Number(double v, ElementType t)
    {
        if (t == ElementType.Pred)
        {
            return v != 0 ? "true" : "false";
        }

        if (t != ElementType.F32)
        {
            return ((long)v).ToString(CultureInfo.InvariantCulture);
        }

        var f = (float)v;
        if (float.IsNaN(f) || float.IsInfinity(f))
        {
            return "0x" + BitConverter.SingleToUInt32Bits(f).ToString("X8", CultureInfo.InvariantCulture);
        }

        var s = f.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
        if (s.Contains('.', StringComparison.Ordinal))
        {
            return s;
        }

        // MLIR float literals need a decimal point: 1 -> 1.0, 1e-05 -> 1.0e-05.
        var e = s.IndexOf('e', StringComparison.Ordinal);
        return e < 0 ? s + ".0" : s[..e] + ".0" + s[e..];
    }

    private static string Dense(HloOp op)
    {
        var sb = new StringBuilder("dense<");
        LiteralText.Append(sb, op, '[', ']', Number);
        return sb.Append('>').ToString();
    }

    private static string Padding(IEnumerable<(long Lo, long Hi)> pads)
    {
        var list = pads.ToList();
        return "dense<" + (list.Count == 0 ? "" : "[" + string.Join(", ", list.Select(p => $"[{p.Lo}, {p.Hi}]")) + "]")
            + string.Create(CultureInfo.InvariantCulture, $"> : tensor<{list.Count}x2xi64>");
    }

    private void Body(HloComputation c, string prefix, string indent, bool skipRootTuple)
    {
        foreach (var op in c.Instructions)
        {
            if (op.Opcode == "parameter" || (skipRootTuple && op == c.Root))
            {
                continue;
            }

            if (op.Opcode == "get-tuple-element" && op.Ops[0].Opcode == "rng-bit-generator")
            {
                continue;
            }

            Op(op, prefix, indent);
        }
    }

    private void Region(HloComputation c, string indent)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"r{_region++}_");
        _sb.Append("{\n").Append(indent).Append("^bb0(")
            .Append(string.Join(", ", c.ParameterOps.Select(p => Ssa(p, prefix) + ": " + Type(p.Shape)))).Append("):\n");
        Body(c, prefix, indent + "  ", skipRootTuple: false);
        _sb.Append(indent).Append("  \"stablehlo.return\"(").Append(Ref(c.Root, prefix)).Append(") : (").Append(Type(c.Root.Shape)).Append(") -> ()\n")
            .Append(indent).Append('}');
    }

    private void Op(HloOp op, string prefix, string indent)
    {
        var name = OpTable.Of(op.Opcode).StableHlo;
        var rng = op.Opcode == "rng-bit-generator";
        _sb.Append(indent).Append(Ssa(op, prefix)).Append(rng ? ":2" : "").Append(" = \"stablehlo.").Append(name).Append("\"(")
            .Append(string.Join(", ", op.Ops.Select(o => Ref(o, prefix)))).Append(')');
        if (op.Callees.Length > 0)
        {
            _sb.Append(" (");
            for (var i = 0; i < op.Callees.Length; i++)
            {
                _sb.Append(i > 0 ? ", " : "");
                Region(op.Callees[i], indent + "  ");
            }

            _sb.Append(')');
        }

        var attrs = Attributes(op);
        if (attrs.Length > 0)
        {
            _sb.Append(" {").Append(attrs).Append('}');
        }

        var result = rng ? "(" + string.Join(", ", op.Shape.TupleShapes.Select(Type)) + ")" : Type(op.Shape);
        _sb.Append(" : (").Append(string.Join(", ", op.Ops.Select(o => Type(o.Shape)))).Append(") -> ").Append(result).Append('\n');
    }

    private static string Attributes(HloOp op)
    {
        switch (op.Opcode)
        {
            case "constant":
                return "value = " + Dense(op) + " : " + Type(op.Shape);
            case "iota":
                return $"iota_dimension = {op.Dimensions[0]} : i64";
            case "broadcast":
                return "broadcast_dimensions = " + I64s(op.Dimensions);
            case "transpose":
                return "permutation = " + I64s(op.Dimensions);
            case "concatenate":
                return $"dimension = {op.Dimensions[0]} : i64";
            case "reduce":
                return "dimensions = " + I64s(op.Dimensions);
            case "get-tuple-element":
                return $"index = {op.TupleIndex} : i32";
            case "slice":
                return "start_indices = " + I64s(op.Slice!.Select(s => s.Start)) + ", limit_indices = " + I64s(op.Slice!.Select(s => s.Limit))
                    + ", strides = " + I64s(op.Slice!.Select(s => s.Stride));
            case "pad":
                return "edge_padding_low = " + I64s(op.Padding!.Select(p => p.Low)) + ", edge_padding_high = " + I64s(op.Padding!.Select(p => p.High))
                    + ", interior_padding = " + I64s(op.Padding!.Select(p => p.Interior));
            case "compare":
                return $"comparison_direction = #stablehlo<comparison_direction {op.Direction!.Value.XlaName()}>";
            case "dot":
                var d = op.DotDims!;
                return "dot_dimension_numbers = #stablehlo.dot<" + string.Join(", ", new[]
                {
                    d.LhsBatch.Count > 0 ? $"lhs_batching_dimensions = [{string.Join(", ", d.LhsBatch)}]" : null,
                    d.RhsBatch.Count > 0 ? $"rhs_batching_dimensions = [{string.Join(", ", d.RhsBatch)}]" : null,
                    $"lhs_contracting_dimensions = [{string.Join(", ", d.LhsContracting)}]",
                    $"rhs_contracting_dimensions = [{string.Join(", ", d.RhsContracting)}]",
                }.Where(s => s is not null)) + ">";
            case "convolution":
                var w = op.Window!;
                var cd = op.ConvDims!;
                string Dims(string l) => "[" + string.Join(", ", l.Select(ch => ch.ToString())) + "]";
                return $"batch_group_count = {op.BatchGroupCount} : i64, dimension_numbers = #stablehlo.conv<{Dims(Reorder(cd.InputBatch, cd.InputFeature, cd.InputSpatial, 'b', 'f'))}x{Dims(Reorder(cd.KernelOutputFeature, cd.KernelInputFeature, cd.KernelSpatial, 'o', 'i'))}->{Dims(Reorder(cd.OutputBatch, cd.OutputFeature, cd.OutputSpatial, 'b', 'f'))}>, "
                    + $"feature_group_count = {op.FeatureGroupCount} : i64, lhs_dilation = {I64s(w.Select(x => x.BaseDilation))}, padding = {Padding(w.Select(x => (x.PadLow, x.PadHigh)))}, "
                    + $"rhs_dilation = {I64s(w.Select(x => x.WindowDilation))}, window_reversal = array<i1: {string.Join(", ", w.Select(x => x.Reversal ? "true" : "false"))}>, window_strides = {I64s(w.Select(x => x.Stride))}";
            case "reduce-window":
                var rw = op.Window!;
                return $"base_dilations = {I64s(rw.Select(x => x.BaseDilation))}, padding = {Padding(rw.Select(x => (x.PadLow, x.PadHigh)))}, window_dilations = {I64s(rw.Select(x => x.WindowDilation))}, "
                    + $"window_dimensions = {I64s(rw.Select(x => x.Size))}, window_strides = {I64s(rw.Select(x => x.Stride))}";
            case "select-and-scatter":
                var sw = op.Window!;
                return $"padding = {Padding(sw.Select(x => (x.PadLow, x.PadHigh)))}, window_dimensions = {I64s(sw.Select(x => x.Size))}, window_strides = {I64s(sw.Select(x => x.Stride))}";
            case "rng-bit-generator":
                return "rng_algorithm = #stablehlo<rng_algorithm " + op.RngAlgorithm switch { RngAlgorithm.ThreeFry => "THREE_FRY", RngAlgorithm.Philox => "PHILOX", _ => "DEFAULT" } + ">";
            case "all-reduce":
                var groups = op.ReplicaGroups!;
                var width = groups.Length == 0 ? 0 : groups.Max(g => g.Length);
                var body = groups.Length == 0 ? "" : "[" + string.Join(", ", groups.Select(g => "[" + string.Join(", ", g) + "]")) + "]";
                return $"replica_groups = dense<{body}> : tensor<{groups.Length}x{width}xi64>";
            default:
                return "";
        }
    }

    /// <summary>Conv dimension labels in the #stablehlo.conv order: position i holds the label of tensor dimension i.</summary>
    private static string Reorder(long a, long b, IReadOnlyList<long> spatial, char ca, char cb)
    {
        var c = new char[spatial.Count + 2];
        c[a] = ca;
        c[b] = cb;
        for (var i = 0; i < spatial.Count; i++)
        {
            c[spatial[i]] = (char)('0' + i);
        }

        return new string(c);
    }
}
