using System.Buffers.Binary;
using System.IO.Compression;

namespace XlaPrune.Torch.Data;

/// <summary>
/// Fashion-MNIST from its IDX files (gzip), as Debian's dataset-fashion-mnist installs them.
/// Images are zero-padded from 28x28 to 32x32 (VGG-16's five pools need a multiple of 32), one
/// channel, normalised with the training set's mean and standard deviation.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's package puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Mean and standard deviation of the training pixels scaled to [0, 1].</summary>
    public const float Mean = 0.2860f;

    /// <summary>See <see cref="Mean"/>.</summary>
    public const float Std = 0.3530f;

    private const int Side = 28;
    private const int Padded = 32;
    private const int ImageMagic = 0x00000803;
    private const int LabelMagic = 0x00000801;

    // The padded images of one split live in one float array.
    private const int MaxItems = 0x7FFFFFC7 / (Padded * Padded);

    /// <summary>Loads the training (60k) or test (10k) split, optionally only the first <paramref name="limit"/> images.</summary>
    /// <exception cref="DatasetException">A file is missing, truncated or corrupt.</exception>
    public static ImageDataset Load(string directory, bool train, int? limit = null)
    {
        var prefix = train ? "train" : "t10k";
        var imagesPath = Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz");
        var labelBytes = ReadIdx(labelsPath, LabelMagic, [], limit, out var labelCount);
        var imageBytes = ReadIdx(imagesPath, ImageMagic, [Side, Side], limit, out var imageCount);
        if (labelCount != imageCount)
        {
            throw new DatasetException($"{labelsPath}: holds {labelCount} labels but {imagesPath} holds {imageCount} images");
        }

        var labels = new int[labelCount];
        for (var i = 0; i < labelCount; i++)
        {
            labels[i] = labelBytes[i];
            if (labels[i] > 9)
            {
                throw new DatasetException($"{labelsPath}: label {labels[i]} at byte offset {8 + i} is not a class 0..9");
            }
        }

        var images = new float[imageCount * Padded * Padded];
        const int border = (Padded - Side) / 2;
        var background = -Mean / Std; // a zero pixel after normalisation
        Array.Fill(images, background);
        for (var n = 0; n < imageCount; n++)
        {
            for (var r = 0; r < Side; r++)
            {
                for (var c = 0; c < Side; c++)
                {
                    var pixel = imageBytes[(((n * Side) + r) * Side) + c] / 255f;
                    images[(((n * Padded) + r + border) * Padded) + c + border] = (pixel - Mean) / Std;
                }
            }
        }

        return new ImageDataset($"fashion-mnist/{(train ? "train" : "test")}", 1, Padded, 10, images, labels);
    }

    // Reads a gzip IDX file: magic, count, fixed item dims, then count x prod(dims) unsigned bytes.
    private static byte[] ReadIdx(string path, int magic, int[] itemDims, int? limit, out int count)
    {
        Stream file;
        try
        {
            file = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: cannot open: {e.Message}", e);
        }

        using (file)
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        {
            var offset = 0L;
            var header = new byte[4 * (2 + itemDims.Length)];
            ReadExactly(gzip, header, path, ref offset);
            var actualMagic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (actualMagic != magic)
            {
                throw new DatasetException($"{path}: not an IDX file of this kind: magic 0x{actualMagic:x8} at byte offset 0, expected 0x{magic:x8}");
            }

            count = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
            if (count < 0)
            {
                throw new DatasetException($"{path}: negative item count {count} at byte offset 4");
            }

            if (count > MaxItems)
            {
                throw new DatasetException($"{path}: item count {count} at byte offset 4 exceeds {MaxItems}, the most images one array holds");
            }

            for (var d = 0; d < itemDims.Length; d++)
            {
                var dim = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8 + (4 * d)));
                if (dim != itemDims[d])
                {
                    throw new DatasetException($"{path}: dimension {d + 1} is {dim} at byte offset {8 + (4 * d)}, expected {itemDims[d]}");
                }
            }

            if (limit is { } l && l < count)
            {
                count = l;
            }

            // Read what the file holds, up to what the header promises: a lying header costs no memory.
            var itemSize = itemDims.Aggregate(1, (a, b) => a * b);
            return ReadUpTo(gzip, (long)count * itemSize, path, offset);
        }
    }

    private static byte[] ReadUpTo(Stream stream, long length, string path, long offset)
    {
        using var data = new MemoryStream();
        var chunk = new byte[1 << 20];
        try
        {
            while (data.Length < length)
            {
                var n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - data.Length));
                if (n == 0)
                {
                    throw new DatasetException($"{path}: truncated: data ends at byte offset {offset + data.Length}, {length - data.Length} more bytes expected");
                }

                data.Write(chunk, 0, n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{path}: corrupt gzip data near byte offset {offset + data.Length} of the decompressed stream: {e.Message}", e);
        }

        return data.ToArray();
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string path, ref long offset)
    {
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0)
                {
                    throw new DatasetException($"{path}: truncated: data ends at byte offset {offset + read}, {buffer.Length - read} more bytes expected");
                }

                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{path}: corrupt gzip data near byte offset {offset + read} of the decompressed stream: {e.Message}", e);
        }

        offset += read;
    }
}
