namespace XlaPrune.Layout;

/// <summary>How a tensor's dimensions are used, which decides its candidate layouts.</summary>
public enum LayoutClass
{
    /// <summary>A convolution activation: a batch, a feature and two spatial dimensions.</summary>
    ConvActivation,

    /// <summary>A convolution kernel: input features, output features and two spatial dimensions.</summary>
    ConvKernel,

    /// <summary>A matrix.</summary>
    Matrix,

    /// <summary>A vector.</summary>
    Vector,

    /// <summary>A scalar.</summary>
    Scalar,
}

/// <summary>
/// The logical dimensions that play a part in a rank-4 tensor's layout: for an activation its batch and feature
/// dimensions, for a kernel its input- and output-feature dimensions. The other two are spatial.
/// </summary>
/// <param name="Batch">Activation batch, or kernel input-feature dimension.</param>
/// <param name="Feature">Activation feature, or kernel output-feature dimension.</param>
public sealed record ConvDimensions(int Batch, int Feature)
{
    /// <summary>Activations [N, H, W, C] and HWIO kernels.</summary>
    public static ConvDimensions NhwcActivation { get; } = new(0, 3);

    /// <summary>HWIO kernels: input features 2, output features 3.</summary>
    public static ConvDimensions HwioKernel { get; } = new(2, 3);

    /// <summary>Activations [N, C, H, W].</summary>
    public static ConvDimensions NchwActivation { get; } = new(0, 1);

    /// <summary>OIHW kernels: input features 1, output features 0.</summary>
    public static ConvDimensions OihwKernel { get; } = new(1, 0);

    /// <summary>The spatial dimensions, in logical order.</summary>
    public int[] Spatial => [.. Enumerable.Range(0, 4).Where(d => d != Batch && d != Feature)];
}

/// <summary>One candidate layout of a tensor.</summary>
/// <param name="Name">What it is, e.g. <c>batch-minor</c>.</param>
/// <param name="Layout">The tiled layout.</param>
public sealed record LayoutCandidate(string Name, TiledLayout Layout)
{
    /// <summary>Padded bytes under this layout.</summary>
    public long PaddedBytes => Layout.PaddedBytes;
}

/// <summary>The candidate layouts of one tensor, the range of their padded bytes, and the one public evidence supports.</summary>
/// <param name="Role">How the tensor is used.</param>
/// <param name="Candidates">Every candidate the model considers.</param>
/// <param name="Preferred">The candidate public evidence supports for this shape.</param>
/// <param name="Rule">The rule that chose <paramref name="Preferred"/> (an id of docs/layout.md, e.g. <c>A1</c>).</param>
public sealed record LayoutRange(LayoutClass Role, IReadOnlyList<LayoutCandidate> Candidates, LayoutCandidate Preferred, string Rule)
{
    /// <summary>Bytes without padding.</summary>
    public long LogicalBytes => Preferred.Layout.LogicalBytes;

    /// <summary>The fewest padded bytes of any candidate.</summary>
    public long MinPaddedBytes => Candidates.Min(c => c.PaddedBytes);

    /// <summary>The most padded bytes of any candidate.</summary>
    public long MaxPaddedBytes => Candidates.Max(c => c.PaddedBytes);
}

/// <summary>
/// XLA's candidate TPU layouts of one tensor (docs/layout.md gives each rule its source). Tiles: (8, 128) on the two
/// minor-most physical dimensions [T1], the compact (2, 128) / (4, 128) tiles when the second-minor dimension is at
/// most 2 / 4 [T2], bf16's (8, 128)(2, 1) and the (16, 128)(2, 1) variant [T3]; rank 1 T(128) to T(1024) [T4];
/// scalars T(256) [T5].
/// </summary>
public static class LayoutCandidates
{
    private static readonly int[] s_rankOneTiles = [128, 256, 512, 1024];

    /// <summary>
    /// The candidates of a tensor of <paramref name="dims"/> used as <paramref name="role"/>. Rank-4 roles need
    /// <paramref name="conv"/>. An <paramref name="entryParameter"/> keeps the caller's layout, which is row-major unless
    /// the caller asks otherwise, so its preferred candidate is row-major.
    /// </summary>
    public static LayoutRange For(LayoutClass role, ElementType type, IReadOnlyList<long> dims, ConvDimensions? conv = null, bool entryParameter = false)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var rank = role switch
        {
            LayoutClass.ConvActivation or LayoutClass.ConvKernel => 4,
            LayoutClass.Matrix => 2,
            LayoutClass.Vector => 1,
            _ => 0,
        };
        if (role == LayoutClass.Matrix ? dims.Count < 2 : dims.Count != rank)
        {
            throw new ArgumentException($"a {Spelling(role)} has rank {(role == LayoutClass.Matrix ? "2 or more" : rank)}, got [{string.Join(",", dims)}]", nameof(dims));
        }

        if (dims.Any(d => d < 1))
        {
            throw new ArgumentException($"dimensions must be at least 1, got [{string.Join(",", dims)}]", nameof(dims));
        }

        return role switch
        {
            LayoutClass.ConvActivation => Activation(type, dims, conv ?? throw new ArgumentNullException(nameof(conv)), entryParameter),
            LayoutClass.ConvKernel => Kernel(type, dims, conv ?? throw new ArgumentNullException(nameof(conv)), entryParameter),
            LayoutClass.Matrix => Matrix(type, dims),
            LayoutClass.Vector => Vector(type, dims),
            _ => Single(role, new LayoutCandidate("scalar", new TiledLayout(type, dims, [], [TileRules.ScalarTile])), "T5"),
        };
    }

    /// <summary>The CLI spelling of a role, e.g. <c>conv-activation</c>.</summary>
    public static string Spelling(LayoutClass role) => role switch
    {
        LayoutClass.ConvActivation => "conv-activation",
        LayoutClass.ConvKernel => "conv-kernel",
        LayoutClass.Matrix => "matrix",
        LayoutClass.Vector => "vector",
        _ => "scalar",
    };

    /// <summary>Parses a role's CLI spelling.</summary>
    public static LayoutClass ParseRole(string text) => text switch
    {
        "conv-activation" => LayoutClass.ConvActivation,
        "conv-kernel" => LayoutClass.ConvKernel,
        "matrix" => LayoutClass.Matrix,
        "vector" => LayoutClass.Vector,
        _ => throw new ArgumentException($"unknown role '{text}' (known: conv-activation, conv-kernel, matrix, vector)", nameof(text)),
    };

    // [A1] the cheaper of feature-minor and batch-minor (feature-minor on a tie); [A2] entry parameters row-major.
    private static LayoutRange Activation(ElementType type, IReadOnlyList<long> dims, ConvDimensions conv, bool entryParameter)
    {
        var s = conv.Spatial;
        var featureMinor = Tiled("feature-minor", type, dims, [conv.Feature, conv.Batch, s[1], s[0]]);
        var batchMinor = Tiled("batch-minor", type, dims, [conv.Batch, conv.Feature, s[1], s[0]]);
        var all = featureMinor.Concat(batchMinor).ToList();
        if (entryParameter)
        {
            var rowMajor = Tiled("row-major", type, dims, [3, 2, 1, 0]);
            return new LayoutRange(LayoutClass.ConvActivation, Distinct(all.Concat(rowMajor)), rowMajor[0], "A2");
        }

        var preferred = batchMinor[0].PaddedBytes < featureMinor[0].PaddedBytes ? batchMinor[0] : featureMinor[0];
        return new LayoutRange(LayoutClass.ConvActivation, Distinct(all), preferred, "A1");
    }

    // [K1] output-minor (input second-minor) unless an entry parameter [A2]; [K2] input-minor is the other order.
    private static LayoutRange Kernel(ElementType type, IReadOnlyList<long> dims, ConvDimensions conv, bool entryParameter)
    {
        var s = conv.Spatial;
        var outputMinor = Tiled("output-minor", type, dims, [conv.Feature, conv.Batch, s[1], s[0]]);
        var inputMinor = Tiled("input-minor", type, dims, [conv.Batch, conv.Feature, s[1], s[0]]);
        var rowMajor = Tiled("row-major", type, dims, [3, 2, 1, 0]);
        var all = Distinct(outputMinor.Concat(inputMinor).Concat(rowMajor));
        return entryParameter
            ? new LayoutRange(LayoutClass.ConvKernel, all, all.First(c => c.Layout.MinorToMajor.SequenceEqual(rowMajor[0].Layout.MinorToMajor) && c.Layout.Tile.SequenceEqual(rowMajor[0].Layout.Tile)), "A2")
            : new LayoutRange(LayoutClass.ConvKernel, all, outputMinor[0], "K1");
    }

    // [M1] row-major, even where swapping the two minor-most dimensions would pad less.
    private static LayoutRange Matrix(ElementType type, IReadOnlyList<long> dims)
    {
        var n = dims.Count;
        int[] rowMajor = [.. Enumerable.Range(0, n).Reverse()];
        int[] swapped = [n - 2, n - 1, .. rowMajor[2..]];
        var row = Tiled("row-major", type, dims, rowMajor);
        return new LayoutRange(LayoutClass.Matrix, Distinct(row.Concat(Tiled("column-major", type, dims, swapped))), row[0], "M1");
    }

    // [T4] rank 1: T(256) preferred; T(128), T(512) and T(1024) also seen.
    private static LayoutRange Vector(ElementType type, IReadOnlyList<long> dims)
    {
        var all = s_rankOneTiles.Select(t => new LayoutCandidate($"T({t})", new TiledLayout(type, dims, [0], [t]))).ToList();
        return new LayoutRange(LayoutClass.Vector, all, all[1], "T4");
    }

    private static LayoutRange Single(LayoutClass role, LayoutCandidate only, string rule) => new(role, [only], only, rule);

    // The layout in minor_to_major order with each applicable tile; the first is the preferred tile.
    private static List<LayoutCandidate> Tiled(string name, ElementType type, IReadOnlyList<long> dims, int[] minorToMajor)
    {
        var secondMinor = dims[minorToMajor[1]];
        var tiles = new List<int[]>();
        if (secondMinor <= 4)
        {
            tiles.Add([TileRules.SecondMinorTile(type, secondMinor), 128]);
        }

        tiles.Add([8, 128]);
        if (type == ElementType.BF16)
        {
            tiles.Add([16, 128]);
        }

        return [.. tiles.Select(t => new LayoutCandidate(name, new TiledLayout(type, dims, minorToMajor, t)))];
    }

    private static List<LayoutCandidate> Distinct(IEnumerable<LayoutCandidate> candidates)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. candidates.Where(c => seen.Add(c.Layout.ToString()))];
    }
}
