using XlaPrune.Hlo;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Hlo.Tests;

public class SerializationTests
{
    /// <summary>(x f32[2,3], y f32[2,3]) -> (x + y, sum of x over dim 1, convolution).</summary>
    internal static HloModule Small()
    {
        var b = new HloBuilder("small");
        var x = b.Parameter(Shape.F32(2, 3), "x");
        var y = b.Parameter(Shape.F32(2, 3), "y");
        var sum = b.Add(x, y);
        var add = b.ScalarComputation("add_f32", ElementType.F32, BinaryOp.Add);
        var r = b.Reduce(x, b.Constant(0f), [1], add);
        var c = b.Constant(Shape.F32(2, 3), [1, 2, 3, 4, 5, 6]);
        var img = b.Reshape(b.Multiply(c, sum), 1, 1, 2, 3);
        var w = b.Broadcast(b.Constant(0.5f), [1, 1, 3, 3], []);
        var conv = b.Convolution(img, w, ConvDims.Nchw2D, [new WindowDim(3, 1, 1, 1), new WindowDim(3, 1, 1, 1)]);
        var s = b.Slice(conv, [0, 0, 0, 1], [1, 1, 2, 3]);
        var gt = b.Compare(s, b.BroadcastScalar(b.Constant(1f), [1, 1, 2, 2]), ComparisonDirection.Gt);
        var sel = b.Select(gt, s, b.BroadcastScalar(b.Constant(0f), [1, 1, 2, 2]));
        return b.Build(b.Tuple(sum, r, sel), [new InputOutputAlias(0, 0)]);
    }

    [Fact]
    public void Proto_round_trip_keeps_ids_layouts_and_aliases()
    {
        var bytes = Small().ToProtoBytes();
        var m = HloModuleProto.Parser.ParseFrom(bytes);
        Assert.Equal("small", m.Name);
        Assert.Equal(2, m.Computations.Count);
        Assert.Equal("add_f32", m.Computations[0].Name);
        Assert.Equal(0, m.Computations[0].Id);
        Assert.Equal("main", m.Computations[1].Name);
        Assert.Equal(1, m.EntryComputationId);
        Assert.Equal("main", m.EntryComputationName);

        var entry = m.Computations[1];
        Assert.Equal(Enumerable.Range(0, entry.Instructions.Count).Select(i => (1L << 32) | (long)i), entry.Instructions.Select(i => i.Id));
        Assert.Equal(entry.Instructions[^1].Id, entry.RootId);
        Assert.Equal("tuple", entry.Instructions[^1].Opcode);
        Assert.Null(entry.Instructions[^1].Shape.Layout);

        var names = m.Computations.SelectMany(c => c.Instructions).Select(i => i.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());

        foreach (var ins in entry.Instructions.Where(i => i.Opcode != "tuple"))
        {
            Assert.Equal(Enumerable.Range(0, ins.Shape.Dimensions.Count).Reverse().Select(d => (long)d), ins.Shape.Layout.MinorToMajor);
            foreach (var id in ins.OperandIds)
            {
                Assert.True(id < ins.Id, $"{ins.Name}: operand id {id} not before {ins.Id}");
            }
        }

        var add = entry.Instructions.Single(i => i.Opcode == "add");
        Assert.Null(add.PrecisionConfig);
        Assert.Null(add.DotDimensionNumbers);
        Assert.Null(add.Window);

        var reduce = entry.Instructions.Single(i => i.Opcode == "reduce");
        Assert.Equal([0L], reduce.CalledComputationIds);
        Assert.Equal([1L], reduce.Dimensions);

        var constant = entry.Instructions.First(i => i.Opcode == "constant" && i.Shape.Dimensions.Count == 2);
        Assert.Equal(constant.Shape, constant.Literal.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], constant.Literal.F32S);
        var scalar = entry.Instructions.First(i => i.Opcode == "constant");
        Assert.NotNull(scalar.Literal.Shape.Layout);
        Assert.Empty(scalar.Literal.Shape.Layout.MinorToMajor);

        var conv = entry.Instructions.Single(i => i.Opcode == "convolution");
        Assert.All(conv.Window.Dimensions, d =>
        {
            Assert.Equal(1, d.WindowDilation);
            Assert.Equal(1, d.BaseDilation);
            Assert.Equal(1, d.Stride);
            Assert.Equal(1, d.PaddingLow);
        });
        Assert.Equal(1, conv.FeatureGroupCount);
        Assert.Equal(1, conv.BatchGroupCount);
        Assert.Equal(1, conv.ConvolutionDimensionNumbers.InputFeatureDimension);
        Assert.Equal(0, conv.ConvolutionDimensionNumbers.KernelOutputFeatureDimension);
        Assert.Equal(1, conv.ConvolutionDimensionNumbers.KernelInputFeatureDimension);

        var slice = entry.Instructions.Single(i => i.Opcode == "slice");
        Assert.All(slice.SliceDimensions, d => Assert.Equal(1, d.Stride));
        Assert.Equal("GT", entry.Instructions.Single(i => i.Opcode == "compare").ComparisonDirection);

        Assert.Equal(2, m.HostProgramShape.Parameters.Count);
        Assert.Equal(["x", "y"], m.HostProgramShape.ParameterNames);
        Assert.Equal(3, m.HostProgramShape.Result.TupleShapes.Count);
        var alias = Assert.Single(m.InputOutputAlias.Entries);
        Assert.Equal([0L], alias.OutputShapeIndex);
        Assert.Equal(0, alias.ParameterNumber);
        Assert.Empty(alias.ParameterShapeIndex);
        Assert.Equal(Kind.MayAlias, alias.Kind);
    }

    [Fact]
    public void Hlo_text_matches_the_baseline() => Baseline.Check("small.hlo", Small().ToHloText());

    [Fact]
    public void Stablehlo_text_matches_the_baseline() => Baseline.Check("small.mlir", Small().ToMlirText());

    [Fact]
    public void Stablehlo_text_of_the_gradient_module_matches_the_baseline() => Baseline.Check("conv_grad.mlir", ConvGrad().ToMlirText());

    [Fact]
    public void Evaluating_the_small_module_gives_hand_computed_values()
    {
        var r = Evaluator.Run(Small(), Value.Array(Shape.F32(2, 3), [1, 2, 3, 4, 5, 6]), Value.Array(Shape.F32(2, 3), [0, 0, 0, 0, 0, 1]));
        Assert.Equal([1.0, 2, 3, 4, 5, 7], r.Elements![0].Data);
        Assert.Equal([6.0, 15], r.Elements[1].Data);
    }

    [Fact]
    public void Gradient_module_text_matches_the_baseline() => Baseline.Check("conv_grad.hlo", ConvGrad().ToHloText());

    private static HloModule ConvGrad()
    {
        var b = new HloBuilder("conv_grad");
        var x = b.Parameter(Shape.F32(2, 3, 4, 4), "x");
        var w = b.Parameter(Shape.F32(5, 3, 3, 3), "w");
        var y = b.Convolution(x, w, ConvDims.Nchw2D, [new WindowDim(3, 1, 1, 1), new WindowDim(3, 1, 1, 1)]);
        var max = b.ScalarComputation("max_f32", ElementType.F32, BinaryOp.Maximum);
        var p = b.ReduceWindow(y, b.Constant(float.NegativeInfinity), [new(1), new(1), new(2, 2), new(2, 2)], max);
        var add = b.ScalarComputation("add_f32", ElementType.F32, BinaryOp.Add);
        var loss = b.Reduce(p, b.Constant(0f), [0, 1, 2, 3], add);
        var g = Autodiff.Gradients(b, loss, [x, w]);
        return b.Build(b.Tuple(g[0], g[1]));
    }
}

/// <summary>Golden files under Baselines/; UPDATE_BASELINES=1 rewrites them in the source tree.</summary>
internal static class Baseline
{
    public static void Check(string name, string actual)
    {
        var source = Path.Combine(SourceDir(), "Baselines", name);
        if (Environment.GetEnvironmentVariable("UPDATE_BASELINES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            var tmp = source + ".tmp";
            File.WriteAllText(tmp, actual);
            File.Move(tmp, source, overwrite: true);
            return;
        }

        var path = Path.Combine(AppContext.BaseDirectory, "Baselines", name);
        Assert.True(File.Exists(path), $"baseline {name} is missing; run with UPDATE_BASELINES=1");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
