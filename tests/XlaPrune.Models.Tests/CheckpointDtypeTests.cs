using System.Buffers.Binary;
using System.Text;
using XlaPrune.Models;

namespace XlaPrune.Models.Tests;

/// <summary>Safetensors files from other writers: float dtypes converted to f32, integer tensors skipped.</summary>
public sealed class CheckpointDtypeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Float_dtypes_are_converted_and_integer_tensors_skipped()
    {
        // f16 1.5 = 0x3E00, -2 = 0xC000; bf16 3.0 = 0x4040 (upper half of f32 0x40400000); f64 0.25.
        byte[] f16 = [0x00, 0x3E, 0x00, 0xC0];
        byte[] bf16 = [0x40, 0x40];
        var f64 = BitConverter.GetBytes(0.25);
        var i64 = BitConverter.GetBytes(7L);
        var path = Write(
            ("a", "F16", "[2]", f16),
            ("b", "BF16", "[1]", bf16),
            ("c", "F64", "[1, 1]", f64),
            ("bn1.num_batches_tracked", "I64", "[]", i64));

        var (tensors, _) = Checkpoint.Load(path);

        Assert.Equal(["a", "b", "c"], tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([1.5f, -2f], tensors["a"].Data);
        Assert.Equal([3f], tensors["b"].Data);
        Assert.Equal([1, 1], tensors["c"].Shape);
        Assert.Equal([0.25f], tensors["c"].Data);
    }

    [Fact]
    public void An_unknown_dtype_is_refused_naming_the_tensor()
    {
        var path = Write(("w", "C64", "[1]", new byte[8]));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.StartsWith($"{path}: tensor w has dtype C64; supported: F32, F64, F16, BF16, I64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_whose_size_overflows_is_refused_before_reading()
    {
        var path = Write(("w", "F32", "[2147483647, 2147483647, 4]", new byte[4]));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("tensor w of shape [2147483647, 2147483647, 4] is too large", e.Message, StringComparison.Ordinal);
    }

    private string Write(params (string Name, string Dtype, string Shape, byte[] Data)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, shape, data) in tensors)
        {
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{offset},{offset + data.Length}]}},");
            offset += data.Length;
        }

        header.Length--;
        header.Append('}');
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.safetensors");
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, headerBytes.Length);
        file.Write(length);
        file.Write(headerBytes);
        foreach (var t in tensors)
        {
            file.Write(t.Data);
        }

        return path;
    }
}
