using XlaPrune.Hlo;

namespace XlaPrune.Hlo.Tests;

/// <summary>A value of the reference evaluator: an array in row-major order (all element types held as double) or a tuple.</summary>
public sealed record Value(Shape Shape, double[] Data, Value[]? Elements = null)
{
    public static Value Array(Shape shape, IEnumerable<double> data) => new(shape, [.. data]);

    public static Value Of(float v) => new(Shape.Scalar(ElementType.F32), [v]);
}

/// <summary>
/// Reference HLO evaluator for tests: naive loops in double precision, the ops the builder makes
/// (rng-bit-generator and all-reduce excepted). Golden numerics for the plugin.
/// </summary>
public static partial class Evaluator
{
    public static Value Run(HloModule module, params Value[] args) => Run(module.Entry, args);

    public static Value Run(HloComputation c, params Value[] args)
    {
        if (args.Length != c.ParameterShapes.Count)
        {
            throw new ArgumentException($"{c.Name} takes {c.ParameterShapes.Count} arguments, got {args.Length}");
        }

        var values = new Dictionary<HloOp, Value>();
        foreach (var op in c.Instructions)
        {
            var ins = op.Ops.Select(o => values[o]).ToArray();
            values[op] = Eval(op, ins, args);
        }

        return values[c.Root];
    }

    private static long[] Strides(IReadOnlyList<long> dims)
    {
        var s = new long[dims.Count];
        long acc = 1;
        for (var i = dims.Count - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= dims[i];
        }

        return s;
    }

    private static void Unravel(long flat, IReadOnlyList<long> dims, long[] idx)
    {
        for (var i = dims.Count - 1; i >= 0; i--)
        {
            if (dims[i] == 0)
            {
                idx[i] = 0;
                continue;
            }

            idx[i] = flat % dims[i];
            flat /= dims[i];
        }
    }

    private static Func<double, double, double> Reducer(HloComputation c)
    {
        var root = c.Root;
        if (root.Ops.Length == 2 && root.Ops.All(o => o.Opcode == "parameter"))
        {
            return Binary(root.Opcode, root);
        }

        return (x, y) => Run(c, Value.Of((float)x), Value.Of((float)y)).Data[0];
    }

    /// <summary>A binary element function: compare by its direction, everything else from the op table.</summary>
    private static Func<double, double, double> Binary(string opcode, HloOp op)
    {
        if (opcode == "compare")
        {
            return op.Direction switch
            {
                ComparisonDirection.Eq => (a, b) => a == b ? 1 : 0,
                ComparisonDirection.Ne => (a, b) => a != b ? 1 : 0,
                ComparisonDirection.Ge => (a, b) => a >= b ? 1 : 0,
                ComparisonDirection.Gt => (a, b) => a > b ? 1 : 0,
                ComparisonDirection.Le => (a, b) => a <= b ? 1 : 0,
                _ => (a, b) => a < b ? 1 : 0,
            };
        }

        var f = OpTable.Of(opcode).Evaluate ?? throw new NotSupportedException($"evaluator: {opcode}");
        var type = op.Shape.ElementType;
        return (a, b) => f([a, b], type);
    }

    /// <summary>An element-wise op from its op-table function; scalar operands (clamp bounds) broadcast.</summary>
    private static Value Map(HloOp op, ElementFunction f, Value[] x)
    {
        var r = new double[op.Shape.ElementCount];
        var a = new double[x.Length];
        for (long i = 0; i < r.Length; i++)
        {
            for (var k = 0; k < x.Length; k++)
            {
                a[k] = x[k].Data.Length == 1 ? x[k].Data[0] : x[k].Data[i];
            }

            r[i] = f(a, op.Shape.ElementType);
        }

        return new Value(op.Shape, r);
    }

    private static Value Eval(HloOp op, Value[] x, Value[] args)
    {
        var shape = op.Shape;
        var n = shape.IsTuple ? 0 : shape.ElementCount;
        var outDims = shape.Dimensions;
        var idx = new long[shape.Rank];
        double[] r = new double[n];
        if (OpTable.TryGet(op.Opcode, out var info) && info.Evaluate is { } ef)
        {
            return Map(op, ef, x);
        }

        switch (op.Opcode)
        {
            case "parameter":
                return args[op.ParameterNumber];
            case "constant":
                return new Value(shape, [.. op.Literal!]);
            case "iota":
                for (long i = 0; i < n; i++)
                {
                    Unravel(i, outDims, idx);
                    r[i] = idx[op.Dimensions[0]];
                }

                break;
            case "tuple":
                return new Value(shape, [], x);
            case "get-tuple-element":
                return x[0].Elements![op.TupleIndex];
            case "compare":
                var g = Binary(op.Opcode, op);
                for (long i = 0; i < n; i++)
                {
                    r[i] = g(x[0].Data[i], x[1].Data[i]);
                }

                break;
            case "reshape":
                return new Value(shape, x[0].Data);
            case "broadcast":
                {
                    var s = Strides(x[0].Shape.Dimensions);
                    for (long i = 0; i < n; i++)
                    {
                        Unravel(i, outDims, idx);
                        long k = 0;
                        for (var d = 0; d < op.Dimensions.Length; d++)
                        {
                            k += idx[op.Dimensions[d]] * s[d];
                        }

                        r[i] = x[0].Data[k];
                    }

                    break;
                }

            case "transpose":
                {
                    var s = Strides(x[0].Shape.Dimensions);
                    for (long i = 0; i < n; i++)
                    {
                        Unravel(i, outDims, idx);
                        long k = 0;
                        for (var d = 0; d < idx.Length; d++)
                        {
                            k += idx[d] * s[op.Dimensions[d]];
                        }

                        r[i] = x[0].Data[k];
                    }

                    break;
                }

            case "slice":
                {
                    var s = Strides(x[0].Shape.Dimensions);
                    for (long i = 0; i < n; i++)
                    {
                        Unravel(i, outDims, idx);
                        long k = 0;
                        for (var d = 0; d < idx.Length; d++)
                        {
                            k += (op.Slice![d].Start + (idx[d] * op.Slice![d].Stride)) * s[d];
                        }

                        r[i] = x[0].Data[k];
                    }

                    break;
                }

            case "pad":
                {
                    Array.Fill(r, x[1].Data[0]);
                    var inDims = x[0].Shape.Dimensions;
                    var s = Strides(outDims);
                    var inIdx = new long[inDims.Count];
                    for (long i = 0; i < x[0].Data.Length; i++)
                    {
                        Unravel(i, inDims, inIdx);
                        long k = 0;
                        var inside = true;
                        for (var d = 0; d < inIdx.Length; d++)
                        {
                            var p = op.Padding![d];
                            var o = p.Low + (inIdx[d] * (p.Interior + 1));
                            inside &= o >= 0 && o < outDims[d];
                            k += o * s[d];
                        }

                        if (inside)
                        {
                            r[k] = x[0].Data[i];
                        }
                    }

                    break;
                }

            case "concatenate":
                {
                    var dim = op.Dimensions[0];
                    for (long i = 0; i < n; i++)
                    {
                        Unravel(i, outDims, idx);
                        var part = 0;
                        while (idx[dim] >= x[part].Shape.Dimensions[(int)dim])
                        {
                            idx[dim] -= x[part].Shape.Dimensions[(int)dim];
                            part++;
                        }

                        var s = Strides(x[part].Shape.Dimensions);
                        long k = 0;
                        for (var d = 0; d < idx.Length; d++)
                        {
                            k += idx[d] * s[d];
                        }

                        r[i] = x[part].Data[k];
                    }

                    break;
                }

            case "dot":
                return Dot(op, x[0], x[1]);
            case "convolution":
                return Convolution(op, x[0], x[1]);
            case "reduce":
                {
                    var f2 = Reducer(op.Callees[0]);
                    Array.Fill(r, x[1].Data[0]);
                    var inDims = x[0].Shape.Dimensions;
                    var inIdx = new long[inDims.Count];
                    var s = Strides(outDims);
                    for (long i = 0; i < x[0].Data.Length; i++)
                    {
                        Unravel(i, inDims, inIdx);
                        long k = 0;
                        var od = 0;
                        for (var d = 0; d < inIdx.Length; d++)
                        {
                            if (!op.Dimensions.Contains(d))
                            {
                                k += inIdx[d] * s[od++];
                            }
                        }

                        r[k] = f2(r[k], x[0].Data[i]);
                    }

                    break;
                }

            case "reduce-window":
                {
                    var f2 = Reducer(op.Callees[0]);
                    for (long i = 0; i < n; i++)
                    {
                        Unravel(i, outDims, idx);
                        var acc = x[1].Data[0];
                        foreach (var k in WindowElements(op.Window!, idx, x[0].Shape.Dimensions))
                        {
                            acc = f2(acc, x[0].Data[k]);
                        }

                        r[i] = acc;
                    }

                    break;
                }

            case "select-and-scatter":
                {
                    var select = op.Callees[0];
                    var sel = select.Root.Ops.Length == 2 && select.Root.Ops.All(o => o.Opcode == "parameter")
                        ? Binary(select.Root.Opcode, select.Root)
                        : (a, b) => Run(select, Value.Of((float)a), Value.Of((float)b)).Data[0];
                    var scatter = Reducer(op.Callees[1]);
                    Array.Fill(r, x[2].Data[0]);
                    var srcDims = x[1].Shape.Dimensions;
                    var sIdx = new long[srcDims.Count];
                    for (long i = 0; i < x[1].Data.Length; i++)
                    {
                        Unravel(i, srcDims, sIdx);
                        long best = -1;
                        foreach (var k in WindowElements(op.Window!, sIdx, outDims))
                        {
                            if (best < 0 || sel(x[0].Data[best], x[0].Data[k]) == 0)
                            {
                                best = k;
                            }
                        }

                        if (best >= 0)
                        {
                            r[best] = scatter(r[best], x[1].Data[i]);
                        }
                    }

                    break;
                }

            default:
                throw new NotSupportedException($"evaluator: {op.Opcode} %{op.Name}");
        }

        return new Value(shape, r);
    }

    /// <summary>Flat operand indices of the window at output position <paramref name="o"/>, padding and base dilation skipped.</summary>
    private static List<long> WindowElements(WindowDim[] w, long[] o, IReadOnlyList<long> inDims)
    {
        var result = new List<long>();
        var s = Strides(inDims);
        var k = new long[w.Length];
        var total = w.Aggregate(1L, (a, d) => a * d.Size);
        for (long t = 0; t < total; t++)
        {
            Unravel(t, [.. w.Select(d => d.Size)], k);
            long flat = 0;
            var ok = true;
            for (var d = 0; d < w.Length && ok; d++)
            {
                var p = (o[d] * w[d].Stride) + (k[d] * w[d].WindowDilation) - w[d].PadLow;
                if (p < 0 || p % w[d].BaseDilation != 0 || p / w[d].BaseDilation >= inDims[d])
                {
                    ok = false;
                    break;
                }

                flat += p / w[d].BaseDilation * s[d];
            }

            if (ok)
            {
                result.Add(flat);
            }
        }

        return result;
    }
}
