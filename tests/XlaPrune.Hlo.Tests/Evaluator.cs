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
public static class Evaluator
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

    private static Value Dot(HloOp op, Value l, Value rr)
    {
        var d = op.DotDims!;
        var ld = l.Shape.Dimensions;
        var rd = rr.Shape.Dimensions;
        var ls = Strides(ld);
        var rs = Strides(rd);
        var lFree = Enumerable.Range(0, ld.Count).Where(i => !d.LhsBatch.Contains(i) && !d.LhsContracting.Contains(i)).ToArray();
        var rFree = Enumerable.Range(0, rd.Count).Where(i => !d.RhsBatch.Contains(i) && !d.RhsContracting.Contains(i)).ToArray();
        var cDims = d.LhsContracting.Select(c => ld[(int)c]).ToArray();
        var cTotal = cDims.Aggregate(1L, (a, b) => a * b);
        var outDims = op.Shape.Dimensions;
        var r = new double[op.Shape.ElementCount];
        var idx = new long[outDims.Count];
        var cIdx = new long[cDims.Length];
        for (long i = 0; i < r.Length; i++)
        {
            Unravel(i, outDims, idx);
            long lb = 0, rb = 0;
            var p = 0;
            for (var j = 0; j < d.LhsBatch.Count; j++, p++)
            {
                lb += idx[p] * ls[d.LhsBatch[j]];
                rb += idx[p] * rs[d.RhsBatch[j]];
            }

            foreach (var j in lFree)
            {
                lb += idx[p++] * ls[j];
            }

            foreach (var j in rFree)
            {
                rb += idx[p++] * rs[j];
            }

            double acc = 0;
            for (long c = 0; c < cTotal; c++)
            {
                Unravel(c, cDims, cIdx);
                long lo = lb, ro = rb;
                for (var j = 0; j < cIdx.Length; j++)
                {
                    lo += cIdx[j] * ls[d.LhsContracting[j]];
                    ro += cIdx[j] * rs[d.RhsContracting[j]];
                }

                acc += l.Data[lo] * rr.Data[ro];
            }

            r[i] = acc;
        }

        return new Value(op.Shape, r);
    }

    private static Value Convolution(HloOp op, Value l, Value k)
    {
        var cd = op.ConvDims!;
        var w = op.Window!;
        var ld = l.Shape.Dimensions;
        var kd = k.Shape.Dimensions;
        var od = op.Shape.Dimensions;
        var ls = Strides(ld);
        var ks = Strides(kd);
        var n = w.Length;
        var fgc = op.FeatureGroupCount;
        var bgc = op.BatchGroupCount;
        var kIn = kd[(int)cd.KernelInputFeature];
        var kOut = kd[(int)cd.KernelOutputFeature];
        var outBatch = od[(int)cd.OutputBatch];
        var r = new double[op.Shape.ElementCount];
        var idx = new long[od.Count];
        var kSizes = w.Select(x => x.Size).ToArray();
        var kTotal = kSizes.Aggregate(1L, (a, b) => a * b);
        var kIdx = new long[n];
        for (long i = 0; i < r.Length; i++)
        {
            Unravel(i, od, idx);
            var ob = idx[cd.OutputBatch];
            var of = idx[cd.OutputFeature];
            var fg = of / (kOut / fgc);
            var bg = of / (kOut / bgc);
            var inBatch = (bg * outBatch) + ob;
            double acc = 0;
            for (long t = 0; t < kTotal; t++)
            {
                Unravel(t, kSizes, kIdx);
                long lo = inBatch * ls[cd.InputBatch];
                long ko = of * ks[cd.KernelOutputFeature];
                var ok = true;
                for (var d = 0; d < n; d++)
                {
                    var p = (idx[cd.OutputSpatial[d]] * w[d].Stride) + (kIdx[d] * w[d].WindowDilation) - w[d].PadLow;
                    if (p < 0 || p % w[d].BaseDilation != 0 || p / w[d].BaseDilation >= ld[(int)cd.InputSpatial[d]])
                    {
                        ok = false;
                        break;
                    }

                    lo += p / w[d].BaseDilation * ls[cd.InputSpatial[d]];
                    var kk = w[d].Reversal ? w[d].Size - 1 - kIdx[d] : kIdx[d];
                    ko += kk * ks[cd.KernelSpatial[d]];
                }

                if (!ok)
                {
                    continue;
                }

                for (long c = 0; c < kIn; c++)
                {
                    var inF = (fg * kIn) + c;
                    acc += l.Data[lo + (inF * ls[cd.InputFeature])] * k.Data[ko + (c * ks[cd.KernelInputFeature])];
                }
            }

            r[i] = acc;
        }

        return new Value(op.Shape, r);
    }
}
