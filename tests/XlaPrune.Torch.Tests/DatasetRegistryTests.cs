using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;
using XlaPrune.Torch.Data;

namespace XlaPrune.Torch.Tests;

/// <summary>The one dataset registry, and the readers' range checks on what file headers claim.</summary>
public sealed class DatasetRegistryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-registry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteIdx(string name, int magic, int[] dims, byte[] data)
    {
        using var file = File.Create(Path.Combine(_dir, name));
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        var word = new byte[4];
        foreach (var v in new[] { magic }.Concat(dims))
        {
            BinaryPrimitives.WriteInt32BigEndian(word, v);
            gzip.Write(word);
        }

        gzip.Write(data);
    }

    [Fact]
    public void Shapes_and_names_come_from_one_table()
    {
        Assert.Equal(["fashion-mnist", "cifar10", "imagenet-folder"], Datasets.Names);
        Assert.Equal(new DatasetShape(1, 32), Datasets.Shape("fashion-mnist"));
        Assert.Equal(new DatasetShape(3, 32), Datasets.Shape("cifar10"));
        Assert.Equal(new DatasetShape(3, null), Datasets.Shape("imagenet-folder"));
        var e = Assert.Throws<ArgumentException>(() => Datasets.Shape("mnist"));
        Assert.Equal("name", e.ParamName);
        Assert.StartsWith("unknown dataset 'mnist' (known: fashion-mnist, cifar10, imagenet-folder)", e.Message, StringComparison.Ordinal);
        Assert.Equal("directory", Assert.Throws<ArgumentException>(() => Datasets.Load("cifar10", null, train: false, limit: null, imageSize: 32)).ParamName);
    }

    [Fact]
    public void Image_folders_take_the_size_they_are_asked_for()
    {
        // Both the CLI and the study pass the model's image size: a folder of 50x40 images at 64.
        var cls = Directory.CreateDirectory(Path.Combine(_dir, "val", "cat")).FullName;
        using (var bitmap = new SKBitmap(50, 40))
        {
            bitmap.Erase(SKColors.Green);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(cls, "a.png"), png.ToArray());
        }

        var d = Datasets.Load("imagenet-folder", _dir, train: false, limit: null, imageSize: 64);
        Assert.Equal((1, 3, 64, 1), (d.Count, d.Channels, d.Size, d.Classes));
        Assert.Equal(3 * 64 * 64, d.Images.Length);
    }

    [Fact]
    public void An_idx_count_too_large_for_one_array_is_refused_before_reading()
    {
        WriteIdx("t10k-labels-idx1-ubyte.gz", 0x801, [int.MaxValue], new byte[16]);
        var path = Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz");
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir, train: false));
        Assert.Equal($"{path}: item count 2147483647 at byte offset 4 exceeds 2097151, the most images one array holds", e.Message);
    }

    [Fact]
    public void A_header_promising_more_than_the_file_holds_is_truncation_not_an_allocation()
    {
        // Two million images promised, sixteen label bytes present.
        WriteIdx("t10k-labels-idx1-ubyte.gz", 0x801, [2_000_000], new byte[16]);
        var path = Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz");
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir, train: false));
        Assert.Equal($"{path}: truncated: data ends at byte offset 24, 1999984 more bytes expected", e.Message);
    }
}
