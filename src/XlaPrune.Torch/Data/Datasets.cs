namespace XlaPrune.Torch.Data;

/// <summary>What a dataset's images look like before loading: channels, and the size if it is fixed.</summary>
/// <param name="Channels">Channels per image.</param>
/// <param name="FixedSize">Height and width if the files fix it; null when images are resized to the model's size.</param>
public sealed record DatasetShape(int Channels, int? FixedSize);

/// <summary>
/// The one registry of datasets by name: the CLI, the study and the trainers all load through it, so a
/// dataset's size, channels and default folder are decided in one place.
/// </summary>
public static class Datasets
{
    /// <summary>Every known dataset name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fashion-mnist", "cifar10", "imagenet-folder"];

    /// <summary>The shape of <paramref name="name"/>'s images.</summary>
    /// <exception cref="ArgumentException">Unknown name (<c>ParamName</c> is <c>name</c>).</exception>
    public static DatasetShape Shape(string name) => name switch
    {
        "fashion-mnist" => new(1, 32),
        "cifar10" => new(3, 32),
        "imagenet-folder" => new(3, null),
        _ => throw Unknown(name),
    };

    /// <summary>
    /// Loads the training or test split of <paramref name="name"/> from <paramref name="directory"/>
    /// (null: the dataset's default folder, if it has one). Datasets of any image size (image folders)
    /// are resized to <paramref name="imageSize"/>, the model's; fixed-size ones ignore it.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name (<c>ParamName</c> <c>name</c>), no folder given where one is needed (<c>directory</c>), impossible size or limit.</exception>
    /// <exception cref="DatasetException">A file is missing, truncated or corrupt.</exception>
    public static ImageDataset Load(string name, string? directory, bool train, int? limit, int imageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit ?? 0, nameof(limit));
        return name switch
        {
            "fashion-mnist" => FashionMnist.Load(directory ?? FashionMnist.DefaultDirectory, train, limit),
            "cifar10" => Cifar10.Load(directory ?? throw new ArgumentException("required for cifar10 (the folder of data_batch_*.bin)", nameof(directory)), train, limit),
            // val/ is labelled with train/'s class list, so a class missing from val/ shifts no label.
            "imagenet-folder" => ImageFolder.Load(
                Path.Combine(directory ?? throw new ArgumentException("required for imagenet-folder (a folder with train/ and val/ class folders)", nameof(directory)), train ? "train" : "val"),
                imageSize, limit, train || !Directory.Exists(Path.Combine(directory, "train")) ? null : ImageFolder.ClassNames(Path.Combine(directory, "train"))),
            _ => throw Unknown(name),
        };
    }

    private static ArgumentException Unknown(string name) =>
        new($"unknown dataset '{name}' (known: {string.Join(", ", Names)})", nameof(name));
}
