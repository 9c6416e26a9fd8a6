namespace XlaPrune.Pjrt;

/// <summary>Element types of PJRT buffers; the same numbers as <c>PJRT_Buffer_Type</c> (not XLA's PrimitiveType).</summary>
public enum PjrtElementType
{
    /// <summary>Invalid.</summary>
    Invalid = 0,
    /// <summary>Boolean (1 byte).</summary>
    Pred = 1,
    /// <summary>Signed 8-bit integer.</summary>
    S8 = 2,
    /// <summary>Signed 16-bit integer.</summary>
    S16 = 3,
    /// <summary>Signed 32-bit integer.</summary>
    S32 = 4,
    /// <summary>Signed 64-bit integer.</summary>
    S64 = 5,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8 = 6,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16 = 7,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32 = 8,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64 = 9,
    /// <summary>IEEE half precision.</summary>
    F16 = 10,
    /// <summary>IEEE single precision.</summary>
    F32 = 11,
    /// <summary>IEEE double precision.</summary>
    F64 = 12,
    /// <summary>bfloat16.</summary>
    BF16 = 13,
    /// <summary>Complex of two F32.</summary>
    C64 = 14,
    /// <summary>Complex of two F64.</summary>
    C128 = 15,
    /// <summary>8-bit float, 5 exponent bits.</summary>
    F8E5M2 = 16,
    /// <summary>8-bit float, 4 exponent bits, finite only.</summary>
    F8E4M3FN = 17,
    /// <summary>8-bit float variant.</summary>
    F8E4M3B11FNUZ = 18,
    /// <summary>8-bit float variant.</summary>
    F8E5M2FNUZ = 19,
    /// <summary>8-bit float variant.</summary>
    F8E4M3FNUZ = 20,
    /// <summary>Signed 4-bit integer.</summary>
    S4 = 21,
    /// <summary>Unsigned 4-bit integer.</summary>
    U4 = 22,
    /// <summary>Token (no data).</summary>
    Token = 23,
    /// <summary>Signed 2-bit integer.</summary>
    S2 = 24,
    /// <summary>Unsigned 2-bit integer.</summary>
    U2 = 25,
    /// <summary>8-bit float, IEEE-like with 4 exponent bits.</summary>
    F8E4M3 = 26,
    /// <summary>8-bit float, 3 exponent bits.</summary>
    F8E3M4 = 27,
    /// <summary>8-bit exponent-only scale.</summary>
    F8E8M0FNU = 28,
    /// <summary>4-bit float.</summary>
    F4E2M1FN = 29,
    /// <summary>Signed 1-bit integer.</summary>
    S1 = 30,
    /// <summary>Unsigned 1-bit integer.</summary>
    U1 = 31,
    /// <summary>6-bit float, 2 exponent bits.</summary>
    F6E2M3FN = 32,
    /// <summary>6-bit float, 3 exponent bits.</summary>
    F6E3M2FN = 33,
}

/// <summary>Sizes and CLR mappings of <see cref="PjrtElementType"/>.</summary>
public static class PjrtElementTypes
{
    /// <summary>Bytes per element for byte-addressable types; 0 for sub-byte types and tokens.</summary>
    public static int SizeInBytes(PjrtElementType type) => type switch
    {
        PjrtElementType.Pred or PjrtElementType.S8 or PjrtElementType.U8 or PjrtElementType.F8E5M2 or PjrtElementType.F8E4M3FN
            or PjrtElementType.F8E4M3B11FNUZ or PjrtElementType.F8E5M2FNUZ or PjrtElementType.F8E4M3FNUZ or PjrtElementType.F8E4M3
            or PjrtElementType.F8E3M4 or PjrtElementType.F8E8M0FNU => 1,
        PjrtElementType.S16 or PjrtElementType.U16 or PjrtElementType.F16 or PjrtElementType.BF16 => 2,
        PjrtElementType.S32 or PjrtElementType.U32 or PjrtElementType.F32 => 4,
        PjrtElementType.S64 or PjrtElementType.U64 or PjrtElementType.F64 or PjrtElementType.C64 => 8,
        PjrtElementType.C128 => 16,
        _ => 0,
    };

    /// <summary>The element type matching a CLR type (float is F32, int is S32, bool is PRED...).</summary>
    public static PjrtElementType Of<T>()
        where T : unmanaged
    {
        var type = typeof(T);
        return type == typeof(float) ? PjrtElementType.F32
            : type == typeof(double) ? PjrtElementType.F64
            : type == typeof(Half) ? PjrtElementType.F16
            : type == typeof(int) ? PjrtElementType.S32
            : type == typeof(long) ? PjrtElementType.S64
            : type == typeof(short) ? PjrtElementType.S16
            : type == typeof(sbyte) ? PjrtElementType.S8
            : type == typeof(uint) ? PjrtElementType.U32
            : type == typeof(ulong) ? PjrtElementType.U64
            : type == typeof(ushort) ? PjrtElementType.U16
            : type == typeof(byte) ? PjrtElementType.U8
            : type == typeof(bool) ? PjrtElementType.Pred
            : throw new ArgumentException($"{type.Name} has no PJRT element type; pass bytes and a PjrtElementType instead.", nameof(T));
    }

    /// <summary>Dense byte size of an array, or throws for types without a byte size.</summary>
    public static long ByteCount(PjrtElementType type, ReadOnlySpan<long> dimensions)
    {
        var size = SizeInBytes(type);
        if (size == 0)
        {
            throw new ArgumentException($"Element type {type} has no whole-byte size; host transfers support byte-sized types only.", nameof(type));
        }

        long count = 1;
        foreach (var dimension in dimensions)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Dimension {dimension} is negative in shape [{string.Join(",", dimensions.ToArray())}].", nameof(dimensions));
            }

            count = checked(count * dimension);
        }

        return checked(count * size);
    }
}
