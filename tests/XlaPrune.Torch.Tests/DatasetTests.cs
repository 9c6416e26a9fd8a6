using System.Buffers.Binary;
using System.IO.Compression;
using XlaPrune.Torch.Data;

namespace XlaPrune.Torch.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var header = new byte[4 * (1 + dims.Length)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (var i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), dims[i]);
        }

        return [.. header, .. data];
    }

    private void WriteGz(string name, byte[] content)
    {
        using var file = File.Create(Path.Combine(_dir, name));
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(content);
    }

    private void WriteFashion(int count, byte[]? labels = null, int imageCountInHeader = -1)
    {
        var pixels = new byte[count * 28 * 28];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i % 256);
        }

        WriteGz("t10k-images-idx3-ubyte.gz", Idx(0x803, [imageCountInHeader < 0 ? count : imageCountInHeader, 28, 28], pixels));
        WriteGz("t10k-labels-idx1-ubyte.gz", Idx(0x801, [count], labels ?? [.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))]));
    }

    [Fact]
    public void Fashion_mnist_is_padded_to_32_and_normalised()
    {
        WriteFashion(3);

        var d = FashionMnist.Load(_dir, train: false);

        Assert.Equal((3, 1, 32, 10), (d.Count, d.Channels, d.Size, d.Classes));
        Assert.Equal([0, 1, 2], d.Labels);
        var background = -FashionMnist.Mean / FashionMnist.Std;
        Assert.Equal(background, d.Images[0]); // padding
        // Image 1, pixel (0,0) is byte 784 % 256 = 16, placed at row 2, column 2.
        Assert.Equal(((16 / 255f) - FashionMnist.Mean) / FashionMnist.Std, d.Images[(1 * 1024) + (2 * 32) + 2], 6);
        Assert.Equal(2, FashionMnist.Load(_dir, train: false, limit: 2).Count);
    }

    [Fact]
    public void Truncated_fashion_mnist_names_file_and_offset()
    {
        WriteFashion(2, imageCountInHeader: 3);
        var path = Path.Combine(_dir, "t10k-images-idx3-ubyte.gz");

        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir, train: false));

        Assert.Equal($"{path}: truncated: data ends at byte offset {16 + (2 * 784)}, 784 more bytes expected", e.Message);
    }

    [Fact]
    public void Corrupt_fashion_mnist_files_are_rejected()
    {
        WriteFashion(2, labels: [3, 12]);
        Assert.Equal(
            $"{Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz")}: label 12 at byte offset 9 is not a class 0..9",
            Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir, train: false)).Message);

        WriteGz("t10k-images-idx3-ubyte.gz", Idx(0x801, [2, 28, 28], new byte[2 * 784]));
        Assert.Equal(
            $"{Path.Combine(_dir, "t10k-images-idx3-ubyte.gz")}: not an IDX file of this kind: magic 0x00000801 at byte offset 0, expected 0x00000803",
            Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir, train: false)).Message);

        File.WriteAllBytes(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]);
        Assert.StartsWith(
            $"{Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz")}: corrupt gzip data near byte offset 0",
            Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir, train: false)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Debian_fashion_mnist_test_split_loads()
    {
        var d = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);

        Assert.Equal(10_000, d.Count);
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], d.Labels[..10]);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, d.Labels.Count(l => l == c)));
    }

    [Fact]
    public void Cifar10_batches_load_and_truncation_names_the_offset()
    {
        var record = new byte[3073];
        record[0] = 7;
        record[1] = 255;           // red (0,0)
        record[1 + 1024 + 5] = 0;  // green (0,5)
        File.WriteAllBytes(Path.Combine(_dir, "test_batch.bin"), [.. record, .. record]);

        var d = Cifar10.Load(_dir, train: false);

        Assert.Equal((2, 3, 32), (d.Count, d.Channels, d.Size));
        Assert.Equal([7, 7], d.Labels);
        Assert.Equal((1f - 0.4914f) / 0.2470f, d.Images[0], 6);
        Assert.Equal((0f - 0.4822f) / 0.2435f, d.Images[1024 + 5], 6);

        var path = Path.Combine(_dir, "test_batch.bin");
        File.WriteAllBytes(path, [.. record, .. record.AsSpan(0, 100)]);
        Assert.Equal(
            $"{path}: truncated: a record of 3073 bytes starts at byte offset 3073 but the file ends at 3173",
            Assert.Throws<DatasetException>(() => Cifar10.Load(_dir, train: false)).Message);

        record[0] = 10;
        File.WriteAllBytes(path, [.. new byte[3073], .. record]);
        Assert.Equal($"{path}: label 10 at byte offset 3073 is not a class 0..9", Assert.Throws<DatasetException>(() => Cifar10.Load(_dir, train: false)).Message);
    }
}
