using System.Runtime.InteropServices;

namespace XlaPrune.Pjrt.Tests;

/// <summary>Create options laid out as PJRT_NamedValue arrays and read back.</summary>
public sealed unsafe class NamedValueTests
{
    [Fact]
    public void Every_value_type_round_trips_through_the_native_layout()
    {
        var options = new Dictionary<string, object>
        {
            ["b_name"] = "cpu",
            ["a_count"] = 3L,
            ["c_ints"] = new long[] { 4, -5, 6 },
            ["d_ratio"] = 0.5f,
            ["e_flag"] = true,
            ["f_small"] = 7,
        };
        var values = PjrtNamedValues.Write(options, out var count);
        try
        {
            Assert.Equal(6u, count);
            Assert.Equal("a_count", Marshal.PtrToStringUTF8((nint)values[0].name));
            Assert.Equal(0, (long)values[2].int64_array_value % sizeof(long));
            var read = PjrtNamedValues.Read(values, count);
            Assert.Equal(["a_count", "b_name", "c_ints", "d_ratio", "e_flag", "f_small"], read.Keys);
            Assert.Equal(3L, read["a_count"]);
            Assert.Equal("cpu", read["b_name"]);
            Assert.Equal(new long[] { 4, -5, 6 }, (long[])read["c_ints"]);
            Assert.Equal(0.5f, read["d_ratio"]);
            Assert.Equal(true, read["e_flag"]);
            Assert.Equal(7L, read["f_small"]);
        }
        finally
        {
            NativeMemory.Free(values);
        }
    }

    [Fact]
    public void Unsupported_value_types_name_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => PjrtNamedValues.Write(new Dictionary<string, object> { ["when"] = DateTime.UnixEpoch }, out _));
        Assert.StartsWith("Option 'when' has type DateTime; PJRT options take string, long, long[], float or bool.", error.Message, StringComparison.Ordinal);
    }
}
