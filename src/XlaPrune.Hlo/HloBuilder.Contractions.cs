namespace XlaPrune.Hlo;

// Contractions: convolution and dot.
public sealed partial class HloBuilder
{
    /// <summary>General convolution (one window entry per spatial dimension).</summary>
    public HloOp Convolution(HloOp lhs, HloOp rhs, ConvDims dims, WindowDim[] window, long featureGroupCount = 1, long batchGroupCount = 1)
    {
        ArgumentNullException.ThrowIfNull(lhs);
        ArgumentNullException.ThrowIfNull(rhs);
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(window);
        var l = lhs.Shape;
        var r = rhs.Shape;
        var n = dims.InputSpatial.Count;
        string Where() => $"convolution: lhs {S(l)}, rhs {S(r)}, dim_labels={dims.Labels()}";
        if (l.Rank != n + 2 || r.Rank != n + 2 || window.Length != n || dims.KernelSpatial.Count != n || dims.OutputSpatial.Count != n)
        {
            throw Error($"{Where()}: ranks, dimension numbers and {window.Length} window dimensions do not agree");
        }

        if (l.ElementType != r.ElementType)
        {
            throw Error($"{Where()}: element types differ");
        }

        var inFeatures = l.Dims[dims.InputFeature];
        var batch = l.Dims[dims.InputBatch];
        var kIn = r.Dims[dims.KernelInputFeature];
        var kOut = r.Dims[dims.KernelOutputFeature];
        if (featureGroupCount < 1 || batchGroupCount < 1 || inFeatures % featureGroupCount != 0 || kIn * featureGroupCount != inFeatures
            || kOut % featureGroupCount != 0 || batch % batchGroupCount != 0 || kOut % batchGroupCount != 0)
        {
            throw Error($"{Where()}: input features {inFeatures} do not match kernel input features {kIn} x feature_group_count {featureGroupCount} (kernel output features {kOut}, batch {batch}, batch_group_count {batchGroupCount})");
        }

        var outDims = new long[n + 2];
        outDims[dims.OutputBatch] = batch / batchGroupCount;
        outDims[dims.OutputFeature] = kOut;
        for (var i = 0; i < n; i++)
        {
            var w = window[i];
            if (w.Size != r.Dims[dims.KernelSpatial[i]] || w.Stride < 1 || w.WindowDilation < 1 || w.BaseDilation < 1)
            {
                throw Error($"{Where()}: window dimension {i} (size {w.Size}, stride {w.Stride}) does not fit kernel spatial size {r.Dims[dims.KernelSpatial[i]]}");
            }

            var inSize = l.Dims[dims.InputSpatial[i]];
            var baseSize = inSize == 0 ? 0 : ((inSize - 1) * w.BaseDilation) + 1;
            var padded = baseSize + w.PadLow + w.PadHigh;
            var win = ((w.Size - 1) * w.WindowDilation) + 1;
            outDims[dims.OutputSpatial[i]] = padded < win ? 0 : ((padded - win) / w.Stride) + 1;
        }

        return New("convolution", Shape.Array(l.ElementType, outDims), [lhs, rhs], (b, o, s, ops, nm) => new HloOp(b, o, s, ops, nm)
        {
            ConvDims = dims,
            Window = (WindowDim[])window.Clone(),
            FeatureGroupCount = featureGroupCount,
            BatchGroupCount = batchGroupCount,
        });
    }

    /// <summary>General dot: result dims are batch, lhs free, rhs free.</summary>
    public HloOp Dot(HloOp lhs, HloOp rhs, DotDims dims)
    {
        ArgumentNullException.ThrowIfNull(lhs);
        ArgumentNullException.ThrowIfNull(rhs);
        ArgumentNullException.ThrowIfNull(dims);
        var l = lhs.Shape;
        var r = rhs.Shape;
        string Where() => $"dot: lhs {S(l)}, rhs {S(r)}, lhs_contracting_dims={{{string.Join(",", dims.LhsContracting)}}}, rhs_contracting_dims={{{string.Join(",", dims.RhsContracting)}}}";
        if (l.ElementType != r.ElementType || dims.LhsContracting.Count != dims.RhsContracting.Count || dims.LhsBatch.Count != dims.RhsBatch.Count)
        {
            throw Error($"{Where()}: element types or dimension counts differ");
        }

        for (var i = 0; i < dims.LhsContracting.Count; i++)
        {
            if (dims.LhsContracting[i] >= l.Rank || dims.RhsContracting[i] >= r.Rank || l.Dims[dims.LhsContracting[i]] != r.Dims[dims.RhsContracting[i]])
            {
                throw Error($"{Where()}: contracting dimension sizes differ");
            }
        }

        var outDims = new List<long>();
        for (var i = 0; i < dims.LhsBatch.Count; i++)
        {
            if (dims.LhsBatch[i] >= l.Rank || dims.RhsBatch[i] >= r.Rank || l.Dims[dims.LhsBatch[i]] != r.Dims[dims.RhsBatch[i]])
            {
                throw Error($"{Where()}: batch dimension sizes differ");
            }

            outDims.Add(l.Dims[dims.LhsBatch[i]]);
        }

        for (var i = 0; i < l.Rank; i++)
        {
            if (!dims.LhsBatch.Contains(i) && !dims.LhsContracting.Contains(i))
            {
                outDims.Add(l.Dims[i]);
            }
        }

        for (var i = 0; i < r.Rank; i++)
        {
            if (!dims.RhsBatch.Contains(i) && !dims.RhsContracting.Contains(i))
            {
                outDims.Add(r.Dims[i]);
            }
        }

        return New("dot", Shape.Array(l.ElementType, [.. outDims]), [lhs, rhs], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { DotDims = dims });
    }
}
