using XlaPrune.Hlo.Proto;

namespace XlaPrune.Hlo;

/// <summary>Writes an <see cref="HloModule"/> as an HloModuleProto (see <see cref="HloModule.ToProto"/> for the id scheme).</summary>
internal static class HloProtoWriter
{
    public static HloModuleProto Of(HloModule m)
    {
        var module = new HloModuleProto { Name = m.Name, EntryComputationName = m.Entry.Name };
        var compIds = new Dictionary<HloComputation, long>();
        var local = new Dictionary<HloOp, long>();
        for (var c = 0; c < m.Computations.Count; c++)
        {
            var comp = m.Computations[c];
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

        module.EntryComputationId = compIds[m.Entry];
        module.Id = 1;
        module.HostProgramShape = ProgramShape(m.Entry);
        if (m.Aliases.Count > 0)
        {
            var alias = new HloInputOutputAliasProto();
            foreach (var a in m.Aliases)
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
                p.ComparisonDirection = op.Direction!.Value.XlaName();
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
}
