using System.Globalization;
using System.Text;

namespace XlaPrune.Hlo;

/// <summary>Writes an <see cref="HloModule"/> in XLA's HLO text format.</summary>
internal static class HloTextWriter
{
    public static string Of(HloModule m)
    {
        var sb = new StringBuilder();
        sb.Append("HloModule ").Append(m.Name).Append(", entry_computation_layout={");
        AppendSignatureShapes(sb, m.Entry);
        sb.Append('}');
        if (m.Aliases.Count > 0)
        {
            sb.Append(", input_output_alias={ ");
            for (var i = 0; i < m.Aliases.Count; i++)
            {
                var a = m.Aliases[i];
                sb.Append(i > 0 ? ", " : "").Append(a.OutputIndex >= 0 ? $"{{{a.OutputIndex}}}" : "{}")
                    .Append(CultureInfo.InvariantCulture, $": ({a.ParameterNumber}, {{}}, {(a.MustAlias ? "must-alias" : "may-alias")})");
            }

            sb.Append(" }");
        }

        sb.Append("\n\n");
        foreach (var c in m.Computations)
        {
            if (c == m.Entry)
            {
                sb.Append("ENTRY ");
            }

            sb.Append('%').Append(c.Name).Append(" (");
            for (var i = 0; i < c.ParameterOps.Count; i++)
            {
                sb.Append(i > 0 ? ", " : "").Append(c.ParameterOps[i].Name).Append(": ");
                c.ParameterOps[i].Shape.Append(sb, true);
            }

            sb.Append(") -> ");
            c.Root.Shape.Append(sb, true);
            sb.Append(" {\n");
            foreach (var op in c.Instructions)
            {
                sb.Append("  ").Append(op == c.Root ? "ROOT " : "").Append('%').Append(op.Name).Append(" = ");
                op.Shape.Append(sb, true);
                sb.Append(' ').Append(op.Opcode).Append('(');
                if (op.Opcode == "parameter")
                {
                    sb.Append(op.ParameterNumber.ToString(CultureInfo.InvariantCulture));
                }
                else if (op.Opcode == "constant")
                {
                    LiteralText.Append(sb, op, '{', '}', FormatNumber);
                }

                for (var i = 0; i < op.Ops.Length; i++)
                {
                    sb.Append(i > 0 ? ", " : "");
                    op.Ops[i].Shape.Append(sb, true);
                    sb.Append(" %").Append(op.Ops[i].Name);
                }

                sb.Append(')');
                AppendAttributes(sb, op);
                sb.Append('\n');
            }

            sb.Append("}\n\n");
        }

        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static void AppendSignatureShapes(StringBuilder sb, HloComputation c)
    {
        sb.Append('(');
        for (var i = 0; i < c.ParameterShapes.Count; i++)
        {
            sb.Append(i > 0 ? ", " : "");
            c.ParameterShapes[i].Append(sb, true);
        }

        sb.Append(")->");
        c.Root.Shape.Append(sb, true);
    }

    internal static string FormatNumber(double v, ElementType type)
    {
        if (type != ElementType.F32)
        {
            return ((long)v).ToString(CultureInfo.InvariantCulture);
        }

        var f = (float)v;
        if (float.IsNaN(f))
        {
            return "nan";
        }

        if (float.IsInfinity(f))
        {
            return f > 0 ? "inf" : "-inf";
        }

        return f.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
    }

    private static string Join(IEnumerable<long> xs) => string.Join(",", xs);

    internal static string WindowText(WindowDim[] w)
    {
        var parts = new List<string> { "size=" + string.Join("x", w.Select(d => d.Size)) };
        if (w.Any(d => d.Stride != 1))
        {
            parts.Add("stride=" + string.Join("x", w.Select(d => d.Stride)));
        }

        if (w.Any(d => d.PadLow != 0 || d.PadHigh != 0))
        {
            parts.Add("pad=" + string.Join("x", w.Select(d => $"{d.PadLow}_{d.PadHigh}")));
        }

        if (w.Any(d => d.BaseDilation != 1))
        {
            parts.Add("lhs_dilate=" + string.Join("x", w.Select(d => d.BaseDilation)));
        }

        if (w.Any(d => d.WindowDilation != 1))
        {
            parts.Add("rhs_dilate=" + string.Join("x", w.Select(d => d.WindowDilation)));
        }

        if (w.Any(d => d.Reversal))
        {
            parts.Add("rhs_reversal=" + string.Join("x", w.Select(d => d.Reversal ? 1 : 0)));
        }

        return "{" + string.Join(" ", parts) + "}";
    }

    private static void AppendAttributes(StringBuilder sb, HloOp op)
    {
        switch (op.Opcode)
        {
            case "iota":
                sb.Append(", iota_dimension=").Append(op.Dimensions[0].ToString(CultureInfo.InvariantCulture));
                break;
            case "broadcast" or "transpose" or "concatenate":
                sb.Append(", dimensions={").Append(Join(op.Dimensions)).Append('}');
                break;
            case "reduce":
                sb.Append(", dimensions={").Append(Join(op.Dimensions)).Append("}, to_apply=%").Append(op.Callees[0].Name);
                break;
            case "slice":
                sb.Append(", slice={").Append(string.Join(", ", op.Slice!.Select(s => s.Stride == 1 ? $"[{s.Start}:{s.Limit}]" : $"[{s.Start}:{s.Limit}:{s.Stride}]"))).Append('}');
                break;
            case "pad":
                var interior = op.Padding!.Any(p => p.Interior != 0);
                sb.Append(", padding=").Append(string.Join("x", op.Padding!.Select(p => interior ? $"{p.Low}_{p.High}_{p.Interior}" : $"{p.Low}_{p.High}")));
                break;
            case "get-tuple-element":
                sb.Append(", index=").Append(op.TupleIndex.ToString(CultureInfo.InvariantCulture));
                break;
            case "convolution":
                sb.Append(", window=").Append(WindowText(op.Window!)).Append(", dim_labels=").Append(op.ConvDims!.Labels());
                if (op.FeatureGroupCount != 1)
                {
                    sb.Append(", feature_group_count=").Append(op.FeatureGroupCount.ToString(CultureInfo.InvariantCulture));
                }

                if (op.BatchGroupCount != 1)
                {
                    sb.Append(", batch_group_count=").Append(op.BatchGroupCount.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case "dot":
                var d = op.DotDims!;
                if (d.LhsBatch.Count > 0)
                {
                    sb.Append(", lhs_batch_dims={").Append(Join(d.LhsBatch)).Append('}');
                }

                sb.Append(", lhs_contracting_dims={").Append(Join(d.LhsContracting)).Append('}');
                if (d.RhsBatch.Count > 0)
                {
                    sb.Append(", rhs_batch_dims={").Append(Join(d.RhsBatch)).Append('}');
                }

                sb.Append(", rhs_contracting_dims={").Append(Join(d.RhsContracting)).Append('}');
                break;
            case "compare":
                sb.Append(", direction=").Append(op.Direction!.Value.XlaName());
                break;
            case "reduce-window":
                sb.Append(", window=").Append(WindowText(op.Window!)).Append(", to_apply=%").Append(op.Callees[0].Name);
                break;
            case "select-and-scatter":
                sb.Append(", window=").Append(WindowText(op.Window!)).Append(", select=%").Append(op.Callees[0].Name).Append(", scatter=%").Append(op.Callees[1].Name);
                break;
            case "rng-bit-generator":
                sb.Append(", algorithm=").Append(op.RngAlgorithm switch { RngAlgorithm.ThreeFry => "rng_three_fry", RngAlgorithm.Philox => "rng_philox", _ => "rng_default" });
                break;
            case "all-reduce":
                sb.Append(", replica_groups={").Append(string.Join(",", op.ReplicaGroups!.Select(g => "{" + Join(g) + "}"))).Append("}, to_apply=%").Append(op.Callees[0].Name);
                break;
            default:
                break;
        }
    }
}
