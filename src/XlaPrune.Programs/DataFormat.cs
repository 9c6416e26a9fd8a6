using XlaPrune.Hlo;

namespace XlaPrune.Programs;

/// <summary>
/// Dimension order of a program's conv activations and kernels. Checkpoints and TorchSharp stay in
/// PyTorch's order (NCHW images, OIHW kernels) whatever the program uses; <see cref="ProgramValue.FromTorch"/>
/// and <see cref="ProgramValue.ToTorch"/> transpose on the host at the boundary. See docs/hlo.md.
/// </summary>
public enum DataFormat
{
    /// <summary>Activations [N, H, W, C], kernels [kh, kw, I, O] (<c>b01f_01io->b01f</c>), as JAX, Flax and TensorFlow emit for TPUs.</summary>
    Nhwc,

    /// <summary>Activations [N, C, H, W], kernels [O, I, kh, kw] (<c>bf01_oi01->bf01</c>), PyTorch's order.</summary>
    Nchw,
}

/// <summary>What each <see cref="DataFormat"/> means for a program.</summary>
public static class DataFormats
{
    /// <summary>The spellings the CLI accepts.</summary>
    public const string Known = "nhwc, nchw";

    /// <summary>Parses <c>nhwc</c> or <c>nchw</c>; anything else is an <see cref="ArgumentException"/> naming the known values.</summary>
    public static DataFormat Parse(string text) => text switch
    {
        "nhwc" => DataFormat.Nhwc,
        "nchw" => DataFormat.Nchw,
        _ => throw new ArgumentException($"unknown data format '{text}' (known: {Known})", nameof(text)),
    };

    /// <summary>The lower-case spelling.</summary>
    public static string Spelling(this DataFormat format) => format == DataFormat.Nhwc ? "nhwc" : "nchw";

    /// <summary>Convolution dimension numbers of a 2-D convolution in this format.</summary>
    public static ConvDims Conv2D(this DataFormat format) => format == DataFormat.Nhwc
        ? new ConvDims(0, 3, [1, 2], 2, 3, [0, 1], 0, 3, [1, 2])
        : ConvDims.Nchw2D;

    /// <summary>The feature dimension of an activation.</summary>
    public static int FeatureDim(this DataFormat format) => format == DataFormat.Nhwc ? 3 : 1;

    /// <summary>The spatial dimensions of an activation.</summary>
    public static long[] SpatialDims(this DataFormat format) => format == DataFormat.Nhwc ? [1, 2] : [2, 3];

    /// <summary>Program dimension i of an activation is PyTorch (NCHW) dimension <c>perm[i]</c>; null when they agree.</summary>
    public static int[]? ActivationFromTorch(this DataFormat format) => format == DataFormat.Nhwc ? [0, 2, 3, 1] : null;

    /// <summary>Program dimension i of a conv kernel is PyTorch (OIHW) dimension <c>perm[i]</c>; null when they agree.</summary>
    public static int[]? KernelFromTorch(this DataFormat format) => format == DataFormat.Nhwc ? [2, 3, 1, 0] : null;

    /// <summary>
    /// Row-major transpose on the host: output dimension i is input dimension <paramref name="permutation"/>[i].
    /// </summary>
    public static float[] Transpose(ReadOnlySpan<float> data, IReadOnlyList<long> dims, IReadOnlyList<int> permutation)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(permutation);
        var rank = dims.Count;
        if (permutation.Count != rank || permutation.Order().Select((p, i) => p == i).Any(ok => !ok))
        {
            throw new ArgumentException($"[{string.Join(",", permutation)}] is not a permutation of {rank} dimensions", nameof(permutation));
        }

        var count = dims.Aggregate(1L, (a, d) => checked(a * d));
        if (data.Length != count)
        {
            throw new ArgumentException($"{data.Length} values for dims [{string.Join(",", dims)}] ({count} elements)", nameof(data));
        }

        var inStrides = new long[rank];
        for (long s = 1, i = rank - 1; i >= 0; i--)
        {
            inStrides[i] = s;
            s *= dims[(int)i];
        }

        var outDims = permutation.Select(p => dims[p]).ToArray();
        var strideOfOut = permutation.Select(p => inStrides[p]).ToArray();
        var result = new float[count];
        var index = new long[rank];
        long src = 0;
        for (long o = 0; o < count; o++)
        {
            result[o] = data[(int)src];
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < outDims[d])
                {
                    src += strideOfOut[d];
                    break;
                }

                src -= strideOfOut[d] * (outDims[d] - 1);
                index[d] = 0;
            }
        }

        return result;
    }

    /// <summary>The inverse permutation.</summary>
    public static int[] Inverse(IReadOnlyList<int> permutation)
    {
        ArgumentNullException.ThrowIfNull(permutation);
        var inverse = new int[permutation.Count];
        for (var i = 0; i < permutation.Count; i++)
        {
            inverse[permutation[i]] = i;
        }

        return inverse;
    }
}
