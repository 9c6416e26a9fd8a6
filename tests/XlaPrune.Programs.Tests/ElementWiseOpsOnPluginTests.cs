using XlaPrune.Hlo;
using XlaPrune.Pjrt;
using Evaluator = XlaPrune.Hlo.Tests.Evaluator;
using Value = XlaPrune.Hlo.Tests.Value;

namespace XlaPrune.Programs.Tests;

/// <summary>
/// The element-wise ops of the op table, compiled and run by our CPU plugin, agree with the reference evaluator.
/// An op the plugin reports UNIMPLEMENTED is skipped with the plugin's message (the C++ op table is extended in
/// parallel); any other failure fails.
/// </summary>
public sealed class ElementWiseOpsOnPluginTests : IDisposable
{
    private static readonly Shape s_shape = Shape.F32(2, 3);
    private readonly PjrtPlugin _plugin = PjrtPlugin.Load("cpu");

    public void Dispose() => Assert.Equal(0, PjrtDiagnostics.LiveObjects);

    private static float[] Data(int seed, double lo, double hi)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, (int)s_shape.ElementCount).Select(_ => (float)(lo + ((hi - lo) * r.NextDouble())))];
    }

    /// <summary>Builds op(x0, x1, …) over f32[2,3] parameters (scalars where <paramref name="shapes"/> says), runs both, compares.</summary>
    private void Check(string opcode, Func<HloBuilder, HloOp[], HloOp> f, Shape[] shapes, float[][] inputs)
    {
        var b = new HloBuilder("op_" + opcode);
        var ps = shapes.Select((s, i) => b.Parameter(s, $"x{i}")).ToArray();
        var module = b.Build(f(b, ps));
        var expected = Evaluator.Run(module, [.. inputs.Select((d, i) => Value.Array(shapes[i], d.Select(v => (double)v)))]).Data;

        using var client = _plugin.CreateClient();
        PjrtLoadedExecutable executable;
        try
        {
            executable = client.CompileHlo(module.ToProtoBytes());
        }
        catch (PjrtException e) when (e.Code == PjrtErrorCode.Unimplemented)
        {
            throw new SkipException($"the CPU plugin reports {opcode} UNIMPLEMENTED: {e.Message}");
        }

        using (executable)
        {
            var args = inputs.Select((d, i) => client.BufferFromHost<float>(d, [.. shapes[i].Dimensions])).ToList();
            var outputs = executable.Execute(args, ExecuteOptions.NoDonation(args.Count));
            try
            {
                var actual = Assert.Single(outputs).ToArray<float>();
                Assert.Equal(expected.Length, actual.Length);
                for (var i = 0; i < expected.Length; i++)
                {
                    var want = (float)expected[i];
                    Assert.True(Math.Abs(want - actual[i]) <= 2e-6 * Math.Max(1, Math.Abs(want)), $"{opcode}[{i}]: evaluator {want}, plugin {actual[i]}");
                }
            }
            finally
            {
                foreach (var buffer in args.Concat(outputs))
                {
                    buffer.Dispose();
                }
            }
        }
    }

    [SkippableTheory]
    [InlineData(UnaryOp.Sqrt, 0.0, 4.0)]
    [InlineData(UnaryOp.Tanh, -3.0, 3.0)]
    [InlineData(UnaryOp.Floor, -3.0, 3.0)]
    [InlineData(UnaryOp.Abs, -3.0, 3.0)]
    [InlineData(UnaryOp.Sign, -3.0, 3.0)]
    public void Unary_op_on_the_plugin_matches_the_evaluator(UnaryOp op, double lo, double hi)
    {
        var x = Data(1, lo, hi);
        x[0] = 0; // sign(0) = 0, ⌊0⌋ = 0, √0 = 0, |0| = 0
        Check(OpTable.Of(op).Opcode, (b, p) => b.Unary(op, p[0]), [s_shape], [x]);
    }

    [SkippableFact]
    public void Power_on_the_plugin_matches_the_evaluator() =>
        Check("power", (b, p) => b.Power(p[0], p[1]), [s_shape, s_shape], [Data(2, 0.1, 3), Data(3, -2, 2)]);

    [SkippableFact]
    public void Clamp_with_array_bounds_on_the_plugin_matches_the_evaluator() =>
        Check("clamp", (b, p) => b.Clamp(p[0], p[1], p[2]), [s_shape, s_shape, s_shape], [Data(4, -1, -0.2), Data(5, -2, 2), Data(6, 0.2, 1)]);

    [SkippableFact]
    public void Clamp_with_scalar_bounds_on_the_plugin_matches_the_evaluator() =>
        Check("clamp", (b, p) => b.Clamp(p[0], p[1], p[2]), [Shape.F32(), s_shape, Shape.F32()], [[-0.5f], Data(7, -2, 2), [0.75f]]);
}
