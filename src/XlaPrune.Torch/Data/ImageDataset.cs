namespace XlaPrune.Torch.Data;

/// <summary>
/// Images in memory, NCHW float32 already normalised, with integer labels: what the trainers
/// (TorchSharp and the PJRT train step) consume.
/// </summary>
/// <param name="Name">Where it came from, e.g. <c>fashion-mnist/train</c>.</param>
/// <param name="Channels">Channels per image.</param>
/// <param name="Size">Height and width.</param>
/// <param name="Classes">Number of classes; labels are in [0, Classes).</param>
/// <param name="Images">N x Channels x Size x Size values.</param>
/// <param name="Labels">N labels.</param>
public sealed record ImageDataset(string Name, int Channels, int Size, int Classes, float[] Images, int[] Labels)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Values per image.</summary>
    public int ImageLength => Channels * Size * Size;

    /// <summary>The first <paramref name="count"/> images (all when null or larger).</summary>
    public ImageDataset Take(int? count)
    {
        if (count is null || count >= Count)
        {
            return this;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count.Value);
        return this with { Images = Images[..(count.Value * ImageLength)], Labels = Labels[..count.Value] };
    }

    /// <summary>Copies the images at <paramref name="indices"/> into <paramref name="images"/> and <paramref name="labels"/>.</summary>
    public void Gather(ReadOnlySpan<int> indices, Span<float> images, Span<int> labels)
    {
        var n = ImageLength;
        for (var i = 0; i < indices.Length; i++)
        {
            Images.AsSpan(indices[i] * n, n).CopyTo(images.Slice(i * n, n));
            labels[i] = Labels[indices[i]];
        }
    }

    /// <summary>A permutation of 0..Count-1 that depends only on <paramref name="seed"/>.</summary>
    public int[] Shuffle(int seed)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }
}

/// <summary>A dataset file is missing, truncated or corrupt; the message names the file and the byte offset.</summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);
