namespace XlaPrune.Torch.Data;

/// <summary>
/// CIFAR-10 from its binary batches (data_batch_1..5.bin, test_batch.bin): each record is one label
/// byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major 32x32). Normalised with
/// the training set's per-channel mean and standard deviation.
/// </summary>
public static class Cifar10
{
    private const int Side = 32;
    private const int RecordSize = 1 + (3 * Side * Side);
    private const int MaxImages = 0x7FFFFFC7 / (3 * Side * Side); // all images live in one float array
    private static readonly float[] s_mean = [0.4914f, 0.4822f, 0.4465f];
    private static readonly float[] s_std = [0.2470f, 0.2435f, 0.2616f];

    /// <summary>Loads the training (5 batches) or test split, optionally only the first <paramref name="limit"/> images.</summary>
    /// <exception cref="DatasetException">A batch file is missing, truncated or corrupt.</exception>
    public static ImageDataset Load(string directory, bool train, int? limit = null)
    {
        var files = train
            ? Enumerable.Range(1, 5).Select(i => Path.Combine(directory, $"data_batch_{i}.bin")).ToArray()
            : [Path.Combine(directory, "test_batch.bin")];
        var images = new List<float>();
        var labels = new List<int>();
        foreach (var path in files)
        {
            if (limit is { } l && labels.Count >= l)
            {
                break;
            }

            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DatasetException($"{path}: cannot read: {e.Message}", e);
            }

            if (limit is null && labels.Count + (bytes.Length / RecordSize) > MaxImages)
            {
                throw new DatasetException($"{path}: {bytes.Length / RecordSize} records make more than {MaxImages} images, the most one array holds");
            }

            if (bytes.Length == 0 || bytes.Length % RecordSize != 0)
            {
                var whole = bytes.Length / RecordSize * RecordSize;
                throw new DatasetException($"{path}: truncated: a record of {RecordSize} bytes starts at byte offset {whole} but the file ends at {bytes.Length}");
            }

            for (var at = 0; at < bytes.Length && (limit is null || labels.Count < limit) && labels.Count < MaxImages; at += RecordSize)
            {
                if (bytes[at] > 9)
                {
                    throw new DatasetException($"{path}: label {bytes[at]} at byte offset {at} is not a class 0..9");
                }

                labels.Add(bytes[at]);
                for (var c = 0; c < 3; c++)
                {
                    for (var p = 0; p < Side * Side; p++)
                    {
                        images.Add(((bytes[at + 1 + (c * Side * Side) + p] / 255f) - s_mean[c]) / s_std[c]);
                    }
                }
            }
        }

        return new ImageDataset($"cifar10/{(train ? "train" : "test")}", 3, Side, 10, [.. images], [.. labels]);
    }
}
