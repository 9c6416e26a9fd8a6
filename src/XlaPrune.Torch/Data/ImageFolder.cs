using SkiaSharp;

namespace XlaPrune.Torch.Data;

/// <summary>
/// ImageNet-style class folders (<c>root/&lt;class&gt;/*.jpg|png|...</c>): classes are the sub-folders in
/// ordinal order; each image is decoded, resized so its shorter side is size·256/224, center-cropped
/// to size x size, and normalised with ImageNet's per-channel mean and standard deviation.
/// </summary>
public static class ImageFolder
{
    /// <summary>The largest image size (height and width) the folder is resized to.</summary>
    public const int MaxSize = 8192;

    // Decoded images above this many pixels are refused before their pixels are allocated.
    private const long MaxPixels = 1L << 28;
    private const long MaxValues = 0x7FFFFFC7;
    private static readonly float[] s_mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] s_std = [0.229f, 0.224f, 0.225f];
    private static readonly string[] s_extensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"];

    /// <summary>The class folder names under <paramref name="root"/>, in ordinal order (label i is the i-th).</summary>
    /// <exception cref="DatasetException">The folder is missing or has no class folders.</exception>
    public static IReadOnlyList<string> ClassNames(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new DatasetException($"{root}: no such directory");
        }

        var classes = Directory.GetDirectories(root).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray();
        return classes.Length > 0 ? classes : throw new DatasetException($"{root}: no class folders");
    }

    /// <summary>Loads every image under <paramref name="root"/> (optionally the first <paramref name="limit"/> in class order).</summary>
    /// <exception cref="DatasetException">A folder is missing or an image cannot be decoded.</exception>
    /// <param name="root">The folder of class folders.</param>
    /// <param name="size">Height and width of the decoded images.</param>
    /// <param name="limit">Keep only the first images, in class order.</param>
    /// <param name="classNames">The labels' class names (e.g. the training folder's, for a validation folder that may lack some); default: the folders of <paramref name="root"/>.</param>
    public static ImageDataset Load(string root, int size, int? limit = null, IReadOnlyList<string>? classNames = null)
    {
        if (size is < 1 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"image size must be in [1, {MaxSize}]");
        }

        var present = ClassNames(root);
        var order = classNames ?? present;
        if (present.FirstOrDefault(n => !order.Contains(n)) is { } stranger)
        {
            throw new DatasetException($"{root}: class folder '{stranger}' is not one of the {order.Count} training classes");
        }

        var classes = order.Select(n => Path.Combine(root, n)).ToArray();
        var images = new List<float>();
        var labels = new List<int>();
        for (var label = 0; label < classes.Length; label++)
        {
            if (!Directory.Exists(classes[label]))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(classes[label]).Where(f => s_extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal))
            {
                if (limit is { } l && labels.Count >= l)
                {
                    break;
                }

                if ((long)(labels.Count + 1) * 3 * size * size > MaxValues)
                {
                    throw new DatasetException($"{root}: more than {labels.Count} images of 3x{size}x{size} do not fit in one array; pass a limit");
                }

                images.AddRange(Decode(file, size));
                labels.Add(label);
            }
        }

        return new ImageDataset($"folder:{root}", 3, size, classes.Length, [.. images], [.. labels]);
    }

    private static float[] Decode(string file, int size)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{file}: cannot read: {e.Message}", e);
        }

        var corrupt = $"{file}: cannot decode the image: truncated or corrupt data (the file ends at byte offset {bytes.Length})";
        using var stream = new SKMemoryStream(bytes);
        using var codec = SKCodec.Create(stream) ?? throw new DatasetException(corrupt);
        if ((long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            throw new DatasetException($"{file}: image of {codec.Info.Width}x{codec.Info.Height} pixels exceeds {MaxPixels} pixels");
        }

        using var bitmap = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (bitmap.Width == 0 || bitmap.Height == 0 || codec.GetPixels(bitmap.Info, bitmap.GetPixels()) != SKCodecResult.Success)
        {
            throw new DatasetException(corrupt);
        }

        var scale = size * 256.0 / 224 / Math.Min(bitmap.Width, bitmap.Height);
        var (w, h) = (Math.Max(size, (int)Math.Round(bitmap.Width * scale)), Math.Max(size, (int)Math.Round(bitmap.Height * scale)));
        using var resized = bitmap.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear))
            ?? throw new DatasetException($"{file}: cannot resize the image");
        var (x0, y0) = ((w - size) / 2, (h - size) / 2);
        var data = new float[3 * size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var p = resized.GetPixel(x0 + x, y0 + y);
                data[(0 * size * size) + (y * size) + x] = ((p.Red / 255f) - s_mean[0]) / s_std[0];
                data[(1 * size * size) + (y * size) + x] = ((p.Green / 255f) - s_mean[1]) / s_std[1];
                data[(2 * size * size) + (y * size) + x] = ((p.Blue / 255f) - s_mean[2]) / s_std[2];
            }
        }

        return data;
    }
}
