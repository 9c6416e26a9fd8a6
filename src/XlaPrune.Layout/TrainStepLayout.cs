using XlaPrune.Hlo;
using HloType = XlaPrune.Hlo.ElementType;

namespace XlaPrune.Layout;

/// <summary>What a tensor of a train step is, as read from the HLO module.</summary>
public enum TensorKind
{
    /// <summary>A trained parameter (an entry parameter).</summary>
    Parameter,

    /// <summary>An SGD momentum buffer (an entry parameter named <c>momentum.*</c>).</summary>
    Momentum,

    /// <summary>A BatchNorm running mean or variance (an entry parameter named <c>*.running_mean</c> or <c>*.running_var</c>).</summary>
    BatchNormStatistic,

    /// <summary>Another entry parameter: images, learning rate.</summary>
    Input,

    /// <summary>A value of the forward pass that the backward pass reads: kept from forward to backward.</summary>
    Activation,

    /// <summary>Any other value the program computes (gradients, updates, backward intermediates); not all live at once.</summary>
    Temporary,
}

/// <summary>One tensor of a train step with its candidate layouts.</summary>
/// <param name="Name">The instruction name (entry parameters carry their argument names, e.g. <c>momentum.conv3.weight</c>).</param>
/// <param name="Kind">What the tensor is.</param>
/// <param name="Layer">The layer it belongs to: from a parameter's name, or the last forward layer before it (empty for the backward pass).</param>
/// <param name="Range">Its candidate layouts and their padded bytes.</param>
public sealed record ModelledTensor(string Name, TensorKind Kind, string Layer, LayoutRange Range)
{
    /// <summary>Bytes without padding.</summary>
    public long LogicalBytes => Range.LogicalBytes;

    /// <summary>Padded bytes under the preferred candidate.</summary>
    public long PaddedBytes => Range.Preferred.PaddedBytes;
}

/// <summary>
/// Reads the tensors of a train step from its HLO module: the entry parameters, the forward values that the backward
/// pass reads (the ancestors of the loss, the last element of the root tuple, with a user outside them), and every
/// other computed value. Broadcasts, constants, iotas, reshapes and tuple plumbing hold no memory of their own on a
/// TPU (XLA fuses or aliases them) and are left out, as are integer and predicate tensors (labels, random bits,
/// comparison masks). A rank-4 tensor is a kernel when its shape is that of a kernel of a forward convolution, else
/// an activation; the convolutions' dimension numbers say which dimensions are batch and feature.
/// </summary>
public static class TrainStepLayout
{
    private static readonly HashSet<string> s_noStorage = new(StringComparer.Ordinal) { "constant", "broadcast", "iota", "tuple", "get-tuple-element", "reshape", "parameter" };

    /// <summary>The tensors of <paramref name="module"/>, float tensors modelled as <paramref name="floatType"/>.</summary>
    public static IReadOnlyList<ModelledTensor> Tensors(HloModule module, ElementType floatType = ElementType.F32)
    {
        ArgumentNullException.ThrowIfNull(module);
        var ops = module.Entry.Instructions;
        var root = module.Entry.Root;
        var loss = root.Opcode == "tuple" && root.Operands.Count > 0 ? root.Operands[^1] : root;
        var forward = Ancestors(loss);
        var users = ops.SelectMany(o => o.Operands.Select(x => (x, o))).ToLookup(p => p.x, p => p.o);

        // Forward convolutions (kernel an entry parameter) give the activation and kernel dimension roles.
        var convs = ops.Where(o => o.Opcode == "convolution" && o.Operands[1].Opcode == "parameter" && o.ConvDims is not null).ToList();
        var activation = convs.Count > 0 ? new ConvDimensions((int)convs[0].ConvDims!.InputBatch, (int)convs[0].ConvDims!.InputFeature) : ConvDimensions.NhwcActivation;
        var kernel = convs.Count > 0 ? new ConvDimensions((int)convs[0].ConvDims!.KernelInputFeature, (int)convs[0].ConvDims!.KernelOutputFeature) : ConvDimensions.HwioKernel;
        var kernelShapes = convs.Select(c => string.Join(",", c.Operands[1].Shape.Dimensions)).ToHashSet(StringComparer.Ordinal);

        var list = new List<ModelledTensor>();
        var layer = "";
        foreach (var op in ops)
        {
            if (forward.Contains(op) && op.Opcode is "convolution" or "dot" && op.Operands[1].Opcode == "parameter")
            {
                layer = LayerOf(op.Operands[1].Name);
            }

            if (op.Shape.ElementType != HloType.F32 || (op.Opcode != "parameter" && s_noStorage.Contains(op.Opcode)))
            {
                continue;
            }

            var isParameter = op.Opcode == "parameter";
            var kind = isParameter ? ParameterKind(op.Name)
                : forward.Contains(op) && users[op].Any(u => !forward.Contains(u)) ? TensorKind.Activation
                : TensorKind.Temporary;
            var dims = op.Shape.Dimensions;
            var range = dims.Count switch
            {
                0 => LayoutCandidates.For(LayoutClass.Scalar, floatType, dims),
                1 => LayoutCandidates.For(LayoutClass.Vector, floatType, dims),
                4 when kernelShapes.Contains(string.Join(",", dims)) => LayoutCandidates.For(LayoutClass.ConvKernel, floatType, dims, kernel, isParameter),
                4 => LayoutCandidates.For(LayoutClass.ConvActivation, floatType, dims, activation, isParameter),
                _ => LayoutCandidates.For(LayoutClass.Matrix, floatType, dims),
            };
            var owner = isParameter ? LayerOf(op.Name) : forward.Contains(op) ? layer : "";
            list.Add(new ModelledTensor(op.Name, kind, owner, range));
        }

        return list;
    }

    /// <summary>
    /// Totals of the tensors held across the step (every kind but <see cref="TensorKind.Temporary"/>): logical bytes,
    /// and padded bytes under the fewest-bytes, preferred and most-bytes candidates; and the same per kind.
    /// </summary>
    public static LayoutTotals Totals(IReadOnlyList<ModelledTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        static PaddedRange Sum(IEnumerable<ModelledTensor> ts) =>
            ts.Aggregate(new PaddedRange(0, 0, 0, 0), (a, t) => new PaddedRange(a.Logical + t.LogicalBytes, a.Min + t.Range.MinPaddedBytes, a.Preferred + t.PaddedBytes, a.Max + t.Range.MaxPaddedBytes));
        return new LayoutTotals(
            Sum(tensors.Where(t => t.Kind != TensorKind.Temporary)),
            Enum.GetValues<TensorKind>().ToDictionary(k => k, k => Sum(tensors.Where(t => t.Kind == k))));
    }

    private static TensorKind ParameterKind(string name) =>
        name.StartsWith("momentum.", StringComparison.Ordinal) ? TensorKind.Momentum
        : name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal) ? TensorKind.BatchNormStatistic
        : name.Contains('.', StringComparison.Ordinal) ? TensorKind.Parameter
        : TensorKind.Input;

    // conv3.weight, momentum.conv3.weight -> conv3; images -> images.
    private static string LayerOf(string name)
    {
        var n = name.StartsWith("momentum.", StringComparison.Ordinal) ? name["momentum.".Length..] : name;
        var dot = n.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? n : n[..dot];
    }

    private static HashSet<HloOp> Ancestors(HloOp op)
    {
        var seen = new HashSet<HloOp>();
        var stack = new Stack<HloOp>([op]);
        while (stack.TryPop(out var x))
        {
            if (seen.Add(x))
            {
                foreach (var o in x.Operands)
                {
                    stack.Push(o);
                }
            }
        }

        return seen;
    }
}

/// <summary>Logical bytes and padded bytes under the fewest-bytes, preferred and most-bytes candidates.</summary>
/// <param name="Logical">Without padding.</param>
/// <param name="Min">Every tensor in its candidate with the fewest padded bytes.</param>
/// <param name="Preferred">Every tensor in the candidate public evidence supports.</param>
/// <param name="Max">Every tensor in its candidate with the most padded bytes.</param>
public sealed record PaddedRange(long Logical, long Min, long Preferred, long Max);

/// <summary>Byte totals of a train step's tensors.</summary>
/// <param name="Held">The tensors held across the step (all kinds but temporaries).</param>
/// <param name="ByKind">Per tensor kind.</param>
public sealed record LayoutTotals(PaddedRange Held, IReadOnlyDictionary<TensorKind, PaddedRange> ByKind);
