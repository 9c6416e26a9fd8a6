using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace XlaPrune.Models;

/// <summary>
/// Checkpoints in the safetensors format (8-byte little-endian header length, a JSON header of
/// name → dtype/shape/data_offsets plus string metadata, then raw little-endian data), readable by
/// PyTorch, TorchSharp.PyBridge and the safetensors library. Written to a temporary file and
/// renamed, so a killed run leaves either the old checkpoint or the new one.
/// </summary>
public static class Checkpoint
{
    /// <summary>Writes <paramref name="tensors"/> (f32) with <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, WeightTensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        var list = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                json.WriteString(k, v);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, t) in list)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * t.Data.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // The format asks for the header to be padded with spaces to a multiple of 8.
        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }

        AtomicFiles.Write(path, file =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, header.Length);
            file.Write(length);
            header.Position = 0;
            header.CopyTo(file);
            foreach (var (_, t) in list)
            {
                file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Data.AsSpan()));
            }
        });
    }

    // Safetensors dtypes read as weights (converted to f32) and integer dtypes that are skipped.
    private static readonly (string Name, int Bytes)[] s_floatTypes = [("F32", 4), ("F64", 8), ("F16", 2), ("BF16", 2)];
    private static readonly (string Name, int Bytes)[] s_integerTypes = [("I64", 8), ("I32", 4), ("I16", 2), ("I8", 1), ("U8", 1), ("BOOL", 1)];

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save"/>, or any safetensors file such as one written by
    /// PyTorch or TorchSharp.PyBridge: F32 tensors as they are, F64, F16 and BF16 converted to f32;
    /// integer tensors (a PyTorch state_dict's <c>num_batches_tracked</c>) are skipped.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated or corrupt; the message names the file and byte offset.</exception>
    public static (Dictionary<string, WeightTensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: not a safetensors file: {bytes.Length} bytes, the 8-byte header length is missing");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || headerLength > bytes.Length - 8)
        {
            throw new InvalidDataException($"{path}: not a safetensors file: header length {headerLength} at byte offset 0 exceeds the file ({bytes.Length} bytes)");
        }

        var tensors = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var dataStart = 8 + headerLength;
        try
        {
            using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.GetString() ?? "";
                    }

                    continue;
                }

                var dtype = entry.Value.GetProperty("dtype").GetString() ?? "";
                var elementBytes = ElementBytes(dtype)
                    ?? throw new InvalidDataException($"{path}: tensor {entry.Name} has dtype {dtype}; supported: {string.Join(", ", s_floatTypes.Concat(s_integerTypes).Select(t => t.Name))}");
                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                if (shape.Any(d => d < 0))
                {
                    throw new InvalidDataException($"{path}: tensor {entry.Name} has a negative dimension in shape [{string.Join(", ", shape)}]");
                }

                var count = shape.Aggregate(1L, (a, d) => a > int.MaxValue ? a : a * d);
                if (count > Array.MaxLength / 8)
                {
                    throw new InvalidDataException($"{path}: tensor {entry.Name} of shape [{string.Join(", ", shape)}] is too large ({count} elements)");
                }

                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != elementBytes * count || offsets[1] > bytes.Length - dataStart)
                {
                    throw new InvalidDataException(
                        $"{path}: tensor {entry.Name} needs bytes {dataStart + offsets.FirstOrDefault()}..{dataStart + offsets.LastOrDefault()} but the file ends at byte offset {bytes.Length}");
                }

                if (s_integerTypes.Any(t => t.Name == dtype))
                {
                    // Integer tensors hold no weights: in a PyTorch state_dict they are BatchNorm's batch
                    // counters (num_batches_tracked, I64). They are skipped, not converted.
                    continue;
                }

                var data = ToFloat(dtype, bytes.AsSpan((int)(dataStart + offsets[0]), (int)(elementBytes * count)));
                tensors[entry.Name] = new WeightTensor(shape, data);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"{path}: corrupt safetensors header (bytes 8..{dataStart}): {e.Message}", e);
        }

        return (tensors, metadata);
    }

    private static int? ElementBytes(string dtype) =>
        s_floatTypes.Concat(s_integerTypes).Where(t => t.Name == dtype).Select(t => (int?)t.Bytes).FirstOrDefault();

    private static float[] ToFloat(string dtype, ReadOnlySpan<byte> raw)
    {
        switch (dtype)
        {
            case "F32":
                return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray();
            case "F64":
                return [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(raw).ToArray().Select(v => (float)v)];
            case "F16":
                return [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(v => (float)v)];
            default:
                // BF16: the upper 16 bits of an f32.
                var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(raw);
                var data = new float[bits.Length];
                for (var i = 0; i < bits.Length; i++)
                {
                    data[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
                }

                return data;
        }
    }
}
