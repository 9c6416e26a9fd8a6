using XlaPrune.Hlo;

namespace XlaPrune.Hlo.Tests;

// The contractions of the reference evaluator: general dot and convolution (groups, dilations, reversal).
public static partial class Evaluator
{
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
