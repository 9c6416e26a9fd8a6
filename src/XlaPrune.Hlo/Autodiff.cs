namespace XlaPrune.Hlo;

/// <summary>Reverse-mode differentiation of a scalar built with an <see cref="HloBuilder"/>.</summary>
public static class Autodiff
{
    /// <summary>
    /// Gradients of scalar <paramref name="output"/> with respect to each of <paramref name="wrt"/>, built as new ops
    /// in the same builder. A value with no path to the output gets zeros.
    /// </summary>
    public static IReadOnlyList<HloOp> Gradients(HloBuilder builder, HloOp output, IReadOnlyList<HloOp> wrt)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(wrt);
        if (output.Shape.IsTuple || output.Shape.Rank != 0 || output.Shape.ElementType != ElementType.F32)
        {
            throw new ArgumentException($"autodiff: output %{output.Name} must be an f32 scalar, got {output.Shape.ToText(false)}");
        }

        var foreign = output.Builder != builder ? output : wrt.FirstOrDefault(w => w.Builder != builder);
        if (foreign is not null)
        {
            var op = foreign;
            throw new ArgumentException($"autodiff: %{op.Name} belongs to computation {op.Builder.ComputationName}, not {builder.ComputationName}");
        }

        var ops = builder.Ops;
        var n = output.Index + 1;

        // Forward: which ops depend on a wrt value.
        var depends = new bool[n];
        foreach (var w in wrt)
        {
            if (w.Index < n)
            {
                depends[w.Index] = true;
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (!depends[i] && !ops[i].StopGradient)
            {
                foreach (var o in ops[i].Ops)
                {
                    if (depends[o.Index])
                    {
                        depends[i] = true;
                        break;
                    }
                }
            }
        }

        var cot = new HloOp?[n];
        cot[output.Index] = builder.Constant(1f);
        var ctx = new Vjp(new GradientContext(builder));
        for (var i = n - 1; i >= 0; i--)
        {
            var g = cot[i];
            var op = ops[i];
            if (g is null || !depends[i] || op.StopGradient || op.Ops.Length == 0)
            {
                continue;
            }

            var grads = ctx.Of(op, g, k => depends[op.Ops[k].Index] && !op.Ops[k].StopGradient);
            for (var k = 0; k < op.Ops.Length; k++)
            {
                var gk = grads[k];
                if (gk is null)
                {
                    continue;
                }

                var idx = op.Ops[k].Index;
                cot[idx] = cot[idx] is { } prev ? builder.Add(prev, gk) : gk;
            }
        }

        var result = new HloOp[wrt.Count];
        for (var i = 0; i < wrt.Count; i++)
        {
            var w = wrt[i];
            result[i] = (w.Index < n ? cot[w.Index] : null) ?? ctx.Zeros(w.Shape);
        }

        return result;
    }

    private sealed class Vjp(GradientContext context)
    {
        private HloBuilder B => context.B;

        public HloOp Zeros(Shape s) => context.Zeros(s);

        private HloOp Sum(HloOp x, long[] dims) => context.Sum(x, dims);

        private static bool IsReducer(HloComputation c, string opcode) => c.Root.Opcode == opcode && c.Root.Ops.All(o => o.Opcode == "parameter");

        public HloOp?[] Of(HloOp op, HloOp g, Func<int, bool> need)
        {
            var x = op.Ops;
            var r = new HloOp?[x.Length];
            if (OpTable.TryGet(op.Opcode, out var info) && info.Gradient is { } rule)
            {
                rule(context, op, g, need, r);
                return r;
            }

            switch (op.Opcode)
            {
                case "rng-bit-generator" or "select-and-scatter":
                    break;
                case "reshape":
                    r[0] = B.Reshape(g, x[0].Shape.Dims);
                    break;
                case "transpose":
                    {
                        var inv = new long[op.Dimensions.Length];
                        for (var i = 0; i < inv.Length; i++)
                        {
                            inv[op.Dimensions[i]] = i;
                        }

                        r[0] = B.Transpose(g, inv);
                        break;
                    }

                case "broadcast":
                    {
                        var summed = Enumerable.Range(0, op.Shape.Rank).Where(d => !op.Dimensions.Contains(d)).Select(d => (long)d).ToArray();
                        r[0] = summed.Length == 0 ? g : Sum(g, summed);
                        break;
                    }

                case "reduce":
                    {
                        if (!IsReducer(op.Callees[0], "add"))
                        {
                            throw new NotSupportedException($"autodiff: reduce %{op.Name} with reducer {op.Callees[0].Name} (only sums are differentiable; mark a max with StopGradient)");
                        }

                        var kept = Enumerable.Range(0, x[0].Shape.Rank).Where(d => !op.Dimensions.Contains(d)).Select(d => (long)d).ToArray();
                        r[0] = B.Broadcast(g, x[0].Shape.Dims, kept);
                        r[1] = need(1) ? Sum(g, [.. Enumerable.Range(0, g.Shape.Rank).Select(d => (long)d)]) : null;
                        break;
                    }

                case "all-reduce":
                    {
                        // Replicas each hold a local loss and the objective is their sum, so the adjoint of a
                        // cross-replica sum is the cross-replica sum of the adjoints.
                        if (!IsReducer(op.Callees[0], "add"))
                        {
                            throw new NotSupportedException($"autodiff: all-reduce %{op.Name} with reducer {op.Callees[0].Name} (only sums are differentiable)");
                        }

                        r[0] = B.AllReduce(g, context.AddF32, op.ReplicaGroups);
                        break;
                    }

                case "slice":
                    {
                        var dims = x[0].Shape.Dims;
                        var pads = new PadDim[dims.Length];
                        for (var i = 0; i < dims.Length; i++)
                        {
                            var (start, _, stride) = op.Slice![i];
                            var last = op.Shape.Dims[i] == 0 ? start : start + ((op.Shape.Dims[i] - 1) * stride) + 1;
                            pads[i] = new PadDim(start, dims[i] - last, stride - 1);
                        }

                        r[0] = B.Pad(g, B.Constant(0f), pads);
                        break;
                    }

                case "pad":
                    {
                        var pads = op.Padding!;
                        if (pads.Any(p => p.Low < 0 || p.High < 0))
                        {
                            throw new NotSupportedException($"autodiff: pad %{op.Name} with negative padding");
                        }

                        var start = pads.Select(p => p.Low).ToArray();
                        var limit = pads.Select((p, i) => op.Shape.Dims[i] - p.High).ToArray();
                        var stride = pads.Select(p => p.Interior + 1).ToArray();
                        var inner = B.Slice(g, start, limit, stride);
                        r[0] = inner;
                        if (need(1))
                        {
                            var all = Enumerable.Range(0, g.Shape.Rank).Select(d => (long)d).ToArray();
                            r[1] = B.Subtract(Sum(g, all), Sum(inner, all));
                        }

                        break;
                    }

                case "concatenate":
                    {
                        var dim = op.Dimensions[0];
                        long offset = 0;
                        for (var k = 0; k < x.Length; k++)
                        {
                            var size = x[k].Shape.Dims[dim];
                            if (need(k))
                            {
                                var start = new long[g.Shape.Rank];
                                var limit = (long[])g.Shape.Dims.Clone();
                                start[dim] = offset;
                                limit[dim] = offset + size;
                                r[k] = B.Slice(g, start, limit);
                            }

                            offset += size;
                        }

                        break;
                    }

                case "dot":
                    DotVjp(op, g, need, r);
                    break;
                case "convolution":
                    ConvVjp(op, g, need, r);
                    break;
                case "reduce-window":
                    {
                        if (!IsReducer(op.Callees[0], "maximum"))
                        {
                            throw new NotSupportedException($"autodiff: reduce-window %{op.Name} with reducer {op.Callees[0].Name} (only max pooling is differentiable)");
                        }

                        r[0] = B.SelectAndScatter(x[0], g, B.Constant(0f), op.Window!, context.GeF32, context.AddF32);
                        break;
                    }

                default:
                    throw new NotSupportedException($"autodiff: no gradient for {op.Opcode} %{op.Name}");
            }

            return r;
        }

        private void DotVjp(HloOp op, HloOp g, Func<int, bool> need, HloOp?[] r)
        {
            var d = op.DotDims!;
            var lhs = op.Ops[0];
            var rhs = op.Ops[1];
            var nb = d.LhsBatch.Count;
            var lFree = Enumerable.Range(0, lhs.Shape.Rank).Select(i => (long)i).Where(i => !d.LhsBatch.Contains(i) && !d.LhsContracting.Contains(i)).ToArray();
            var rFree = Enumerable.Range(0, rhs.Shape.Rank).Select(i => (long)i).Where(i => !d.RhsBatch.Contains(i) && !d.RhsContracting.Contains(i)).ToArray();
            var gBatch = Enumerable.Range(0, nb).Select(i => (long)i).ToArray();
            var gLFree = Enumerable.Range(nb, lFree.Length).Select(i => (long)i).ToArray();
            var gRFree = Enumerable.Range(nb + lFree.Length, rFree.Length).Select(i => (long)i).ToArray();
            if (need(0))
            {
                // g · rhs over rhs's free dims: [batch, lhs free, rhs contracting (ascending)].
                var t = B.Dot(g, rhs, new DotDims(gRFree, rFree, gBatch, [.. d.RhsBatch]));
                var rc = d.RhsContracting.Order().ToList();
                var perm = new long[lhs.Shape.Rank];
                for (var i = 0; i < nb; i++)
                {
                    perm[d.LhsBatch[i]] = i;
                }

                for (var j = 0; j < lFree.Length; j++)
                {
                    perm[lFree[j]] = nb + j;
                }

                for (var k = 0; k < d.LhsContracting.Count; k++)
                {
                    perm[d.LhsContracting[k]] = nb + lFree.Length + rc.IndexOf(d.RhsContracting[k]);
                }

                r[0] = IsIdentity(perm) ? t : B.Transpose(t, perm);
            }

            if (need(1))
            {
                var t = B.Dot(g, lhs, new DotDims(gLFree, lFree, gBatch, [.. d.LhsBatch]));
                var lc = d.LhsContracting.Order().ToList();
                var perm = new long[rhs.Shape.Rank];
                for (var i = 0; i < nb; i++)
                {
                    perm[d.RhsBatch[i]] = i;
                }

                for (var j = 0; j < rFree.Length; j++)
                {
                    perm[rFree[j]] = nb + j;
                }

                for (var k = 0; k < d.RhsContracting.Count; k++)
                {
                    perm[d.RhsContracting[k]] = nb + rFree.Length + lc.IndexOf(d.LhsContracting[k]);
                }

                r[1] = IsIdentity(perm) ? t : B.Transpose(t, perm);
            }
        }

        private static bool IsIdentity(long[] perm) => perm.Select((p, i) => p == i).All(ok => ok);

        private static long Dilate(long size, long dilation) => size == 0 ? 0 : 1 + (dilation * (size - 1));

        private void ConvVjp(HloOp op, HloOp g, Func<int, bool> need, HloOp?[] r)
        {
            var cd = op.ConvDims!;
            var w = op.Window!;
            var lhs = op.Ops[0];
            var rhs = op.Ops[1];
            var n = w.Length;
            if (need(0))
            {
                if (op.FeatureGroupCount != 1 || op.BatchGroupCount != 1)
                {
                    throw new NotSupportedException($"autodiff: input gradient of grouped convolution %{op.Name}");
                }

                // Input gradient: convolve g (dilated by the strides) with the kernel reversed and in/out swapped.
                var win = new WindowDim[n];
                for (var i = 0; i < n; i++)
                {
                    var k = Dilate(w[i].Size, w[i].WindowDilation);
                    var inSize = Dilate(lhs.Shape.Dims[cd.InputSpatial[i]], w[i].BaseDilation);
                    var outSize = Dilate(g.Shape.Dims[cd.OutputSpatial[i]], w[i].Stride);
                    var before = k - w[i].PadLow - 1;
                    var after = inSize + k - 1 - outSize - before;
                    win[i] = new WindowDim(w[i].Size, w[i].BaseDilation, before, after, w[i].WindowDilation, w[i].Stride, !w[i].Reversal);
                }

                var dims = new ConvDims(cd.OutputBatch, cd.OutputFeature, cd.OutputSpatial,
                    cd.KernelOutputFeature, cd.KernelInputFeature, cd.KernelSpatial,
                    cd.InputBatch, cd.InputFeature, cd.InputSpatial);
                r[0] = B.Convolution(g, rhs, dims, win);
            }

            if (need(1))
            {
                if (w.Any(d => d.Reversal))
                {
                    throw new NotSupportedException($"autodiff: kernel gradient of convolution %{op.Name} with window reversal");
                }

                // Kernel gradient: lhs with batch and feature swapped, convolved with g as the kernel.
                var win = new WindowDim[n];
                for (var i = 0; i < n; i++)
                {
                    var lhsD = Dilate(lhs.Shape.Dims[cd.InputSpatial[i]], w[i].BaseDilation);
                    var rhsD = Dilate(w[i].Size, w[i].WindowDilation);
                    var outD = Dilate(g.Shape.Dims[cd.OutputSpatial[i]], w[i].Stride);
                    var hi = outD - lhsD + rhsD - w[i].PadLow - 1;
                    win[i] = new WindowDim(g.Shape.Dims[cd.OutputSpatial[i]], w[i].WindowDilation, w[i].PadLow, hi, w[i].Stride, w[i].BaseDilation);
                }

                var dims = new ConvDims(cd.InputFeature, cd.InputBatch, cd.InputSpatial,
                    cd.OutputBatch, cd.OutputFeature, cd.OutputSpatial,
                    cd.KernelInputFeature, cd.KernelOutputFeature, cd.KernelSpatial);
                var fgc = op.BatchGroupCount > 1 ? op.BatchGroupCount : 1;
                var bgc = op.FeatureGroupCount > 1 ? op.FeatureGroupCount : 1;
                r[1] = B.Convolution(lhs, g, dims, win, fgc, bgc);
            }
        }
    }
}
