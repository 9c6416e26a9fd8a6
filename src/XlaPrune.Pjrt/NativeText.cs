using System.Text;

namespace XlaPrune.Pjrt;

/// <summary>Helpers for text, numbers and bytes PJRT hands out as (pointer, size).</summary>
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

    /// <summary>Copies bytes a plugin serialized, then frees the plugin's copy with the deleter it handed out with them.</summary>
    public static byte[] TakeSerialized<T>(byte* bytes, nuint size, T* owner, delegate* unmanaged[Cdecl]<T*, void> deleter)
        where T : unmanaged
    {
        try
        {
            return new ReadOnlySpan<byte>(bytes, checked((int)size)).ToArray();
        }
        finally
        {
            if (deleter != null)
            {
                deleter(owner);
            }
        }
    }
}
