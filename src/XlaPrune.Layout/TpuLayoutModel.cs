using XlaPrune.Models;

namespace XlaPrune.Layout;

/// <summary>What a tensor of a train step is.</summary>
public enum TensorKind
{
    /// <summary>A trained parameter.</summary>
    Parameter,

    /// <summary>Its SGD momentum buffer.</summary>
    Momentum,

    /// <summary>Its gradient.</summary>
    Gradient,

    /// <summary>BatchNorm running mean or variance.</summary>
    BatchNormStatistic,

    /// <summary>A value the forward pass keeps for the backward pass.</summary>
    Activation,
}

/// <summary>How a tensor's dimensions are used, which decides its layout.</summary>
public enum LayoutClass
{
    /// <summary>Activation [N, C, H, W]: feature minor, batch second-minor ({1,0,3,2}; XLA's {3,0,2,1} for NHWC).</summary>
    ConvActivation,

    /// <summary>Conv kernel [O, I, kh, kw]: output features minor, input features second-minor.</summary>
    ConvKernel,

    /// <summary>A matrix: last dimension minor.</summary>
    Matrix,

    /// <summary>A vector.</summary>
    Vector,

    /// <summary>A scalar.</summary>
    Scalar,
}

/// <summary>One tensor of a train step with its modelled TPU layout.</summary>
/// <param name="Name">E.g. <c>conv3.weight</c>, <c>momentum.conv3.weight</c>, <c>act.conv3.relu</c>.</param>
/// <param name="Kind">What the tensor is.</param>
/// <param name="Layer">Owning layer (conv3, bn3, fc1, input, loss).</param>
/// <param name="Layout">The modelled layout.</param>
public sealed record TensorLayout(string Name, TensorKind Kind, string Layer, TiledLayout Layout)
{
    /// <summary>Bytes without padding.</summary>
    public long LogicalBytes => Layout.LogicalBytes;

    /// <summary>Bytes with TPU tile padding.</summary>
    public long PaddedBytes => Layout.PaddedBytes;
}

/// <summary>Chooses TPU layouts by rule and lists every tensor of a VGG-16 train step.</summary>
public static class TpuLayoutModel
{
    /// <summary>The modelled layout of a tensor of <paramref name="dims"/> used as <paramref name="use"/>.</summary>
    public static TiledLayout Choose(LayoutClass use, IReadOnlyList<long> dims, ElementType type)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var (_, minor) = TileRules.Tile(type);
        int[] minorToMajor = use switch
        {
            LayoutClass.ConvActivation => [1, 0, 3, 2],
            LayoutClass.ConvKernel => [0, 1, 3, 2],
            LayoutClass.Matrix => [1, 0],
            LayoutClass.Vector => [0],
            LayoutClass.Scalar => [],
            _ => throw new ArgumentOutOfRangeException(nameof(use)),
        };
        if (minorToMajor.Length != dims.Count)
        {
            throw new ArgumentException($"{use} needs rank {minorToMajor.Length}, got dims [{string.Join(",", dims)}]");
        }

        int[] tile = dims.Count switch
        {
            0 => [TileRules.ScalarTile],
            1 => [TileRules.RankOneTile],
            _ => [TileRules.SecondMinorTile(type, dims[minorToMajor[1]]), minor],
        };
        return new TiledLayout(type, dims, minorToMajor, tile);
    }

    /// <summary>
    /// Every tensor a VGG-16 train step holds at its peak, for a batch of <paramref name="batch"/>:
    /// parameters, momenta, gradients, BatchNorm statistics, and the activations kept for the backward
    /// pass (the input image; per conv layer its pre-BatchNorm output and its ReLU output, and the
    /// max-pool output where one follows; per linear layer its output). See docs/layout.md.
    /// </summary>
    public static IReadOnlyList<TensorLayout> TrainStepTensors(Vgg16Spec spec, int batch, ElementType type = ElementType.F32)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var list = new List<TensorLayout>();
        foreach (var p in spec.Parameters)
        {
            var dims = p.Shape.Select(d => (long)d).ToArray();
            var use = p.Role switch
            {
                TensorRole.ConvWeight => LayoutClass.ConvKernel,
                TensorRole.LinearWeight => LayoutClass.Matrix,
                _ => LayoutClass.Vector,
            };
            list.Add(new(p.Name, TensorKind.Parameter, p.Layer, Choose(use, dims, type)));
            list.Add(new($"momentum.{p.Name}", TensorKind.Momentum, p.Layer, Choose(use, dims, type)));
            list.Add(new($"grad.{p.Name}", TensorKind.Gradient, p.Layer, Choose(use, dims, type)));
        }

        foreach (var s in spec.BatchNormStats)
        {
            list.Add(new(s.Name, TensorKind.BatchNormStatistic, s.Layer, Choose(LayoutClass.Vector, [s.Shape[0]], type)));
        }

        list.Add(new("act.input", TensorKind.Activation, "input", Choose(LayoutClass.ConvActivation, [batch, spec.InputChannels, spec.ImageSize, spec.ImageSize], type)));
        foreach (var c in spec.Convs)
        {
            long[] dims = [batch, c.OutChannels, c.InputSize, c.InputSize];
            list.Add(new($"act.{c.Name}.conv", TensorKind.Activation, c.Name, Choose(LayoutClass.ConvActivation, dims, type)));
            list.Add(new($"act.{c.Name}.relu", TensorKind.Activation, c.Name, Choose(LayoutClass.ConvActivation, dims, type)));
            if (c.MaxPoolAfter)
            {
                long[] pooled = [batch, c.OutChannels, c.InputSize / 2, c.InputSize / 2];
                list.Add(new($"act.{c.Name}.pool", TensorKind.Activation, c.Name, Choose(LayoutClass.ConvActivation, pooled, type)));
            }
        }

        foreach (var l in spec.Linears)
        {
            list.Add(new($"act.{l.Name}.out", TensorKind.Activation, l.Name, Choose(LayoutClass.Matrix, [batch, l.OutFeatures], type)));
        }

        return list;
    }

    /// <summary>Totals of a tensor list: logical and padded bytes, overall and per kind.</summary>
    public static LayoutTotals Totals(IReadOnlyList<TensorLayout> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return new LayoutTotals(
            tensors.Sum(t => t.LogicalBytes),
            tensors.Sum(t => t.PaddedBytes),
            Enum.GetValues<TensorKind>().ToDictionary(
                k => k,
                k => (tensors.Where(t => t.Kind == k).Sum(t => t.LogicalBytes), tensors.Where(t => t.Kind == k).Sum(t => t.PaddedBytes))));
    }
}

/// <summary>Byte totals of a set of tensors.</summary>
/// <param name="LogicalBytes">Without padding.</param>
/// <param name="PaddedBytes">With TPU tile padding.</param>
/// <param name="ByKind">Both, per tensor kind.</param>
public sealed record LayoutTotals(long LogicalBytes, long PaddedBytes, IReadOnlyDictionary<TensorKind, (long Logical, long Padded)> ByKind)
{
    /// <summary>Padded over logical bytes (1 = no waste).</summary>
    public double PaddingFactor => LogicalBytes == 0 ? 1 : (double)PaddedBytes / LogicalBytes;
}
