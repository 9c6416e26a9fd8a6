using System.Globalization;
using System.Text;
using Google.Protobuf;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Hlo;

/// <summary>A finished computation: its live instructions in dependency order.</summary>
public sealed class HloComputation
{
    internal HloComputation(string name, List<HloOp> instructions, HloOp root, HloOp[] parameters)
    {
        Name = name;
        Instructions = instructions;
        Root = root;
        ParameterOps = parameters;
        ParameterShapes = [.. parameters.Select(p => p.Shape)];
    }

    /// <summary>Computation name.</summary>
    public string Name { get; }

    /// <summary>Instructions, operands before users.</summary>
    public IReadOnlyList<HloOp> Instructions { get; }

    /// <summary>Root instruction.</summary>
    public HloOp Root { get; }

    /// <summary>Parameter shapes in number order.</summary>
    public IReadOnlyList<Shape> ParameterShapes { get; }

    internal IReadOnlyList<HloOp> ParameterOps { get; }
}

/// <summary>An immutable HLO module: the entry computation, its callees and aliases.</summary>
public sealed class HloModule
{
    private static readonly string[] s_directions = ["EQ", "NE", "GE", "GT", "LE", "LT"];

    internal HloModule(string name, HloComputation entry, InputOutputAlias[] aliases)
    {
        Name = name;
        Entry = entry;
        Aliases = aliases;

        // Callees first (post-order), the entry last.
        var order = new List<HloComputation>();
        var seen = new HashSet<HloComputation>();
        void Visit(HloComputation c)
        {
            if (!seen.Add(c))
            {
                return;
            }

            foreach (var op in c.Instructions)
            {
                foreach (var callee in op.Callees)
                {
                    Visit(callee);
                }
            }

            order.Add(c);
        }

        Visit(entry);
        Computations = order;
    }

    /// <summary>Module name.</summary>
    public string Name { get; }

    /// <summary>The entry computation.</summary>
    public HloComputation Entry { get; }

    /// <summary>Computations, callees before callers, entry last.</summary>
    public IReadOnlyList<HloComputation> Computations { get; }

    /// <summary>Parameter→output aliases.</summary>
    public IReadOnlyList<InputOutputAlias> Aliases { get; }

    /// <summary>Entry parameter shapes.</summary>
    public IReadOnlyList<Shape> ParameterShapes => Entry.ParameterShapes;

    /// <summary>Entry result shape.</summary>
    public Shape ResultShape => Entry.Root.Shape;

    /// <summary>StableHLO text (<c>func.func @main</c>, generic <c>stablehlo.*</c> ops; aliases as <c>tf.aliasing_output</c>).</summary>
    public string ToMlirText() => MlirText.Of(this);

    /// <summary>Serialized HloModuleProto.</summary>
    public byte[] ToProtoBytes() => ToProto().ToByteArray();

    /// <summary>
    /// The HloModuleProto: computation ids 0.. in emission order (entry last), instruction ids
    /// <c>(computation id &lt;&lt; 32) | local id</c> with dense local ids from 0, array shapes with the default layout.
    /// </summary>
    public HloModuleProto ToProto()
    {
        var module = new HloModuleProto { Name = Name, EntryComputationName = Entry.Name };
        var compIds = new Dictionary<HloComputation, long>();
        var local = new Dictionary<HloOp, long>();
        for (var c = 0; c < Computations.Count; c++)
        {
            var comp = Computations[c];
            long cid = c;
            compIds[comp] = cid;
            var proto = new HloComputationProto { Name = comp.Name, Id = cid };
            for (var i = 0; i < comp.Instructions.Count; i++)
            {
                var op = comp.Instructions[i];
                var id = (cid << 32) | (long)i;
                local[op] = id;
                proto.Instructions.Add(Instruction(op, id, local, compIds));
            }

            proto.RootId = local[comp.Root];
            proto.ProgramShape = ProgramShape(comp);
            module.Computations.Add(proto);
        }

        module.EntryComputationId = compIds[Entry];
        module.Id = 1;
        module.HostProgramShape = ProgramShape(Entry);
        if (Aliases.Count > 0)
        {
            var alias = new HloInputOutputAliasProto();
            foreach (var a in Aliases)
            {
                var e = new HloInputOutputAliasProto.Types.AliasEntryProto { ParameterNumber = a.ParameterNumber, Kind = a.MustAlias ? Kind.MustAlias : Kind.MayAlias };
                if (a.OutputIndex >= 0)
                {
                    e.OutputShapeIndex.Add(a.OutputIndex);
                }

                alias.Entries.Add(e);
            }

            module.InputOutputAlias = alias;
        }

        return module;
    }

    private static ProgramShapeProto ProgramShape(HloComputation comp)
    {
        var p = new ProgramShapeProto { Result = comp.Root.Shape.ToProto() };
        foreach (var op in comp.ParameterOps)
        {
            p.Parameters.Add(op.Shape.ToProto());
            p.ParameterNames.Add(op.Name);
        }

        return p;
    }

    private static HloInstructionProto Instruction(HloOp op, long id, Dictionary<HloOp, long> ids, Dictionary<HloComputation, long> compIds)
    {
        var p = new HloInstructionProto { Name = op.Name, Opcode = op.Opcode, Shape = op.Shape.ToProto(), Id = id };
        foreach (var o in op.Ops)
        {
            p.OperandIds.Add(ids[o]);
        }

        foreach (var c in op.Callees)
        {
            p.CalledComputationIds.Add(compIds[c]);
        }

        switch (op.Opcode)
        {
            case "parameter":
                p.ParameterNumber = op.ParameterNumber;
                break;
            case "constant":
                var lit = new LiteralProto { Shape = op.Shape.ToProto() };
                if (op.Shape.ElementType == ElementType.F32)
                {
                    lit.F32S.AddRange(op.Literal!.Select(v => (float)v));
                }
                else
                {
                    lit.S32S.AddRange(op.Literal!.Select(v => (int)v));
                }

                p.Literal = lit;
                break;
            case "iota" or "broadcast" or "transpose" or "concatenate" or "reduce":
                p.Dimensions.AddRange(op.Dimensions);
                break;
            case "slice":
                foreach (var (start, limit, stride) in op.Slice!)
                {
                    p.SliceDimensions.Add(new HloInstructionProto.Types.SliceDimensions { Start = start, Limit = limit, Stride = stride });
                }

                break;
            case "pad":
                var pc = new PaddingConfig();
                foreach (var d in op.Padding!)
                {
                    pc.Dimensions.Add(new PaddingConfig.Types.PaddingConfigDimension { EdgePaddingLow = d.Low, EdgePaddingHigh = d.High, InteriorPadding = d.Interior });
                }

                p.PaddingConfig = pc;
                break;
            case "get-tuple-element":
                p.TupleIndex = op.TupleIndex;
                break;
            case "convolution":
                var cd = op.ConvDims!;
                var cdp = new ConvolutionDimensionNumbers
                {
                    InputBatchDimension = cd.InputBatch,
                    InputFeatureDimension = cd.InputFeature,
                    KernelInputFeatureDimension = cd.KernelInputFeature,
                    KernelOutputFeatureDimension = cd.KernelOutputFeature,
                    OutputBatchDimension = cd.OutputBatch,
                    OutputFeatureDimension = cd.OutputFeature,
                };
                cdp.InputSpatialDimensions.AddRange(cd.InputSpatial);
                cdp.KernelSpatialDimensions.AddRange(cd.KernelSpatial);
                cdp.OutputSpatialDimensions.AddRange(cd.OutputSpatial);
                p.ConvolutionDimensionNumbers = cdp;
                p.Window = WindowProto(op.Window!);
                p.FeatureGroupCount = op.FeatureGroupCount;
                p.BatchGroupCount = op.BatchGroupCount;
                p.PrecisionConfig = new PrecisionConfig { OperandPrecision = { PrecisionConfig.Types.Precision.Default, PrecisionConfig.Types.Precision.Default } };
                break;
            case "dot":
                var dd = op.DotDims!;
                var ddp = new DotDimensionNumbers();
                ddp.LhsContractingDimensions.AddRange(dd.LhsContracting);
                ddp.RhsContractingDimensions.AddRange(dd.RhsContracting);
                ddp.LhsBatchDimensions.AddRange(dd.LhsBatch);
                ddp.RhsBatchDimensions.AddRange(dd.RhsBatch);
                p.DotDimensionNumbers = ddp;
                p.PrecisionConfig = new PrecisionConfig { OperandPrecision = { PrecisionConfig.Types.Precision.Default, PrecisionConfig.Types.Precision.Default } };
                break;
            case "compare":
                p.ComparisonDirection = s_directions[(int)op.Direction!.Value];
                break;
            case "reduce-window" or "select-and-scatter":
                p.Window = WindowProto(op.Window!);
                break;
            case "rng-bit-generator":
                p.RngAlgorithm = (RandomAlgorithm)(int)op.RngAlgorithm;
                break;
            case "all-reduce":
                foreach (var g in op.ReplicaGroups!)
                {
                    var rg = new ReplicaGroup();
                    rg.ReplicaIds.AddRange(g);
                    p.ReplicaGroups.Add(rg);
                }

                break;
            default:
                break;
        }

        return p;
    }

    private static Window WindowProto(WindowDim[] window)
    {
        var w = new Window();
        foreach (var d in window)
        {
            w.Dimensions.Add(new WindowDimension
            {
                Size = d.Size,
                Stride = d.Stride,
                PaddingLow = d.PadLow,
                PaddingHigh = d.PadHigh,
                WindowDilation = d.WindowDilation,
                BaseDilation = d.BaseDilation,
                WindowReversal = d.Reversal,
            });
        }

        return w;
    }

    // ---- HLO text

    /// <summary>XLA's HLO text format.</summary>
    public string ToHloText()
    {
        var sb = new StringBuilder();
        sb.Append("HloModule ").Append(Name).Append(", entry_computation_layout={");
        AppendSignatureShapes(sb, Entry);
        sb.Append('}');
        if (Aliases.Count > 0)
        {
            sb.Append(", input_output_alias={ ");
            for (var i = 0; i < Aliases.Count; i++)
            {
                var a = Aliases[i];
                sb.Append(i > 0 ? ", " : "").Append(a.OutputIndex >= 0 ? $"{{{a.OutputIndex}}}" : "{}")
                    .Append(CultureInfo.InvariantCulture, $": ({a.ParameterNumber}, {{}}, {(a.MustAlias ? "must-alias" : "may-alias")})");
            }

            sb.Append(" }");
        }

        sb.Append("\n\n");
        foreach (var c in Computations)
        {
            if (c == Entry)
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
                    AppendLiteral(sb, op);
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

    private static void AppendLiteral(StringBuilder sb, HloOp op)
    {
        var dims = op.Shape.Dims;
        var values = op.Literal!;
        if (dims.Length == 0)
        {
            sb.Append(FormatNumber(values[0], op.Shape.ElementType));
            return;
        }

        var index = 0;
        void Level(int d)
        {
            sb.Append('{');
            for (var i = 0; i < dims[d]; i++)
            {
                sb.Append(i > 0 ? ", " : "");
                if (d == dims.Length - 1)
                {
                    sb.Append(FormatNumber(values[index++], op.Shape.ElementType));
                }
                else
                {
                    Level(d + 1);
                }
            }

            sb.Append('}');
        }

        Level(0);
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
                sb.Append(", direction=").Append(s_directions[(int)op.Direction!.Value]);
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
