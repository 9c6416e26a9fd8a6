using System.Runtime.InteropServices;
using System.Text;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>Converts between <c>PJRT_NamedValue</c> arrays and managed dictionaries.</summary>
/// <remarks>
/// Values are <see cref="string"/>, <see cref="long"/>, <see cref="long"/>[] (int64 lists),
/// <see cref="float"/> or <see cref="bool"/>.
/// </remarks>
internal static unsafe class PjrtNamedValues
{
    public static IReadOnlyDictionary<string, object> Read(PJRT_NamedValue* values, nuint count)
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        for (nuint i = 0; i < count; i++)
        {
            var value = &values[i];
            var name = NativeText.Read(value->name, value->name_size);
            result[name] = value->type switch
            {
                PJRT_NamedValue_Type.PJRT_NamedValue_kString => NativeText.Read(value->string_value, value->value_size),
                PJRT_NamedValue_Type.PJRT_NamedValue_kInt64 => value->int64_value,
                PJRT_NamedValue_Type.PJRT_NamedValue_kInt64List => NativeText.ReadInt64s(value->int64_array_value, value->value_size),
                PJRT_NamedValue_Type.PJRT_NamedValue_kFloat => value->float_value,
                PJRT_NamedValue_Type.PJRT_NamedValue_kBool => value->bool_value,
                _ => $"<named value of unknown type {(int)value->type}>",
            };
        }

        return result;
    }

    /// <summary>
    /// Lays out <paramref name="values"/> as a <c>PJRT_NamedValue</c> array in one native block that also holds
    /// every string and list; free it with <see cref="NativeMemory.Free"/> after the call.
    /// </summary>
    public static PJRT_NamedValue* Write(IReadOnlyDictionary<string, object> values, out nuint count)
    {
        var entries = values.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        count = (nuint)entries.Count;
        if (entries.Count == 0)
        {
            return null;
        }

        var payloads = new List<byte[]>();
        nuint extra = 0;
        foreach (var (name, value) in entries)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            payloads.Add(nameBytes);
            extra += (nuint)nameBytes.Length + 1;
            switch (value)
            {
                case string s:
                    var bytes = Encoding.UTF8.GetBytes(s);
                    payloads.Add(bytes);
                    extra += (nuint)bytes.Length + 1;
                    break;
                case long[] list:
                    extra += (nuint)(list.Length * sizeof(long)) + 8;
                    break;
                case IReadOnlyList<long> list:
                    extra += (nuint)(list.Count * sizeof(long)) + 8;
                    break;
                case long or int or float or double or bool:
                    break;
                default:
                    throw new ArgumentException($"Option '{name}' has type {value?.GetType().Name ?? "null"}; PJRT options take string, long, long[], float or bool.", nameof(values));
            }
        }

        var arrayBytes = (nuint)(entries.Count * sizeof(PJRT_NamedValue));
        var block = (byte*)NativeMemory.AllocZeroed(arrayBytes + extra + 8);
        var array = (PJRT_NamedValue*)block;
        var cursor = block + arrayBytes;
        var payload = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, value) = entries[i];
            var entry = &array[i];
            entry->struct_size = PJRT_NamedValue.STRUCT_SIZE;
            var nameBytes = payloads[payload++];
            entry->name = Copy(nameBytes, ref cursor);
            entry->name_size = (nuint)nameBytes.Length;
            switch (value)
            {
                case string:
                    var text = payloads[payload++];
                    entry->type = PJRT_NamedValue_Type.PJRT_NamedValue_kString;
                    entry->string_value = Copy(text, ref cursor);
                    entry->value_size = (nuint)text.Length;
                    break;
                case long or int:
                    entry->type = PJRT_NamedValue_Type.PJRT_NamedValue_kInt64;
                    entry->int64_value = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                    entry->value_size = 1;
                    break;
                case float or double:
                    entry->type = PJRT_NamedValue_Type.PJRT_NamedValue_kFloat;
                    entry->float_value = Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture);
                    entry->value_size = 1;
                    break;
                case bool flag:
                    entry->type = PJRT_NamedValue_Type.PJRT_NamedValue_kBool;
                    entry->bool_value = flag;
                    entry->value_size = 1;
                    break;
                case IReadOnlyList<long> list:
                    entry->type = PJRT_NamedValue_Type.PJRT_NamedValue_kInt64List;
                    cursor = (byte*)(((nuint)cursor + 7) & ~(nuint)7);
                    var start = (long*)cursor;
                    for (var j = 0; j < list.Count; j++)
                    {
                        start[j] = list[j];
                    }

                    cursor += list.Count * sizeof(long);
                    entry->int64_array_value = start;
                    entry->value_size = (nuint)list.Count;
                    break;
            }
        }

        return array;
    }

    private static byte* Copy(byte[] bytes, ref byte* cursor)
    {
        var start = cursor;
        bytes.CopyTo(new Span<byte>(start, bytes.Length));
        start[bytes.Length] = 0;
        cursor += bytes.Length + 1;
        return start;
    }
}
