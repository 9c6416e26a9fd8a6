using System.Text;

namespace XlaPrune.Pjrt;

/// <summary>UTF-8 helpers for strings PJRT hands out as (pointer, size).</summary>
internal static unsafe class NativeText
{
    public static string Read(byte* text, nuint size) =>
        text == null || size == 0 ? string.Empty : Encoding.UTF8.GetString(text, checked((int)size));

    public static long[] ReadInt64s(long* values, nuint count)
    {
        if (values == null || count == 0)
        {
            return [];
        }

        return new ReadOnlySpan<long>(values, checked((int)count)).ToArray();
    }
}
