using XlaPrune.Hlo.Proto;

namespace XlaPrune.Layout.Tests;

/// <summary>
/// Layouts chosen by real TPU compilers (Data/real_tpu_layouts.hlo names the public report of each) and the layout
/// text syntax. Every padded size below is computed by hand in the comment and, where the report printed one,
/// equals the report's "Size".
/// </summary>
public sealed class RealTpuLayoutTests
{
    private static IReadOnlyList<ProgramBuffer> RealBuffers() =>
        ProgramBuffers.FromHloText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "real_tpu_layouts.hlo")));

    [Fact]
    public void Buffers_of_real_tpu_reports_reproduce_the_reported_sizes()
    {
        var buffers = RealBuffers().ToDictionary(b => b.Name, b => b.Array);
        Assert.Equal(6, buffers.Count);

        // s32[8388608,8,4]{2,1,0:T(8,128)}: minor dim 2 (4) -> 128, dim 1 (8) -> 8, then dim 0.
        // 8388608*8*128*4 B = 32 GiB (report: 32.00G); logical 8388608*8*4*4 B = 1 GiB (report: 1.00G).
        Assert.Equal(34_359_738_368L, buffers["copy.40488"].PaddedBytes);
        Assert.Equal(1_073_741_824L, buffers["copy.40488"].LogicalBytes);

        // bf16[2048,1,2048,128]{0,1,3,2:T(4,128)(2,1)}: minor dim 0 (2048) stays, dim 1 (1) -> 4, then 128 and 2048.
        // 2048*4*128*2048*2 B = 4 GiB (report: 4.00G); logical 2048*2048*128*2 B = 1 GiB (report: 1.00G).
        Assert.Equal(4_294_967_296L, buffers["broadcast.6042.remat3"].PaddedBytes);
        Assert.Equal(1_073_741_824L, buffers["broadcast.6042.remat3"].LogicalBytes);

        // u32[12582912,1]{1,0:T(8,128)}: minor dim 1 (1) -> 128, dim 0 a multiple of 8.
        // 12582912*128*4 B = 6 GiB (report: 6.00G); logical 12582912*4 B = 48 MiB (report: 48.00M).
        Assert.Equal(6_442_450_944L, buffers["fusion.47701.remat4"].PaddedBytes);
        Assert.Equal(50_331_648L, buffers["fusion.47701.remat4"].LogicalBytes);

        // bf16[512,16,3072]{2,1,0:T(8,128)(2,1)}: 3072 and 16 already multiples of 128 and 8: 512*16*3072*2 B = 48 MiB.
        Assert.Equal(50_331_648L, buffers["reshape.152469"].PaddedBytes);
        Assert.Equal(50_331_648L, buffers["reshape.152469"].LogicalBytes);

        // f32[1024,245,64]{1,2,0:T(8,128)}: minor dim 1 (245) -> 256, dim 2 (64) stays, then 1024.
        // 1024*256*64*4 B = 64 MiB (report: 64.00M); logical 1024*245*64*4 B = 61.25 MiB (report: 61.25M).
        Assert.Equal(67_108_864L, buffers["broadcast.82209"].PaddedBytes);
        Assert.Equal(64_225_280L, buffers["broadcast.82209"].LogicalBytes);

        // s32[2048,1,128,128,4]{4,3,2,0,1:T(8,128)}: minor dim 4 (4) -> 128, dim 3 (128) stays, then 128, 2048, 1.
        // 128*128*128*2048*4 B = 16 GiB (report: 16.00G); logical 2048*128*128*4*4 B = 512 MiB (report: 512.00M).
        Assert.Equal(17_179_869_184L, buffers["fusion.1"].PaddedBytes);
        Assert.Equal(536_870_912L, buffers["fusion.1"].LogicalBytes);

        Assert.Equal(62_394_466_304L, ProgramBuffers.TotalPaddedBytes(buffers.Select(b => new ProgramBuffer(b.Key, b.Value))));
        Assert.Equal(2_849_243_136L, ProgramBuffers.TotalLogicalBytes(buffers.Select(b => new ProgramBuffer(b.Key, b.Value))));
    }

    [Theory]
    // Operand of the flowpm copy: minor dim 0 (8388608, a multiple of 128), dim 2 (4) under T(4,..) stays 4: no padding.
    [InlineData("s32[8388608,8,4]{0,2,1:T(4,128)}", 1_073_741_824L, 1_073_741_824L)]
    // Operand in pytorch/xla#1965: minor dim 1 (4) -> 128: 6291456*128*2 B.
    [InlineData("bf16[6291456,4]{1,0:T(8,128)(2,1)}", 1_610_612_736L, 50_331_648L)]
    // Scalars in pytorch/xla#1965 and ColabFold#62: T(256) gives one element 256 slots: 256*4 B.
    [InlineData("u32[]{:T(256)}", 1024L, 4L)]
    [InlineData("f32[]{:T(256)}", 1024L, 4L)]
    // A rank-1 array: 384 -> 512 under T(512).
    [InlineData("f32[384]{0:T(512)}", 2048L, 1536L)]
    // pred stored in 32 bits (E(32)): minor dim 0 (8) -> 128, dim 2 (8), dim 1 (8): 128*8*8 elements * 4 B.
    [InlineData("pred[8,8,8]{0,2,1:T(8,128)E(32)}", 32_768L, 512L)]
    // No layout, or no tiles: dense, nothing padded.
    [InlineData("f32[3,5]", 60L, 60L)]
    [InlineData("f32[3,5]{1,0}", 60L, 60L)]
    // Tail padding: 10 elements aligned to 16.
    [InlineData("f32[10]{0:L(16)}", 64L, 40L)]
    public void Padded_and_logical_bytes_follow_the_layout(string text, long padded, long logical)
    {
        var array = XlaArray.Parse(text);
        Assert.Equal(padded, array.PaddedBytes);
        Assert.Equal(logical, array.LogicalBytes);
    }

    [Theory]
    [InlineData("{3,0,2,1:T(8,128)(2,1)}")]
    [InlineData("{0:T(256)}")]
    [InlineData("{:T(256)}")]
    [InlineData("{0:T(1024)(128)(2,1)}")]
    [InlineData("{1,0:T(8,128)S(1)}")]
    [InlineData("{0,2,1:T(8,128)E(32)}")]
    [InlineData("{1,0}")]
    [InlineData("{}")]
    public void Layout_text_round_trips(string text) => Assert.Equal(text, XlaLayout.Parse(text).ToString());

    [Fact]
    public void Layout_parts_are_read_from_text_and_from_LayoutProto_alike()
    {
        var parsed = XlaLayout.Parse("{0,3,2,1:T(8,128)(2,1)S(1)}");
        Assert.Equal([0, 3, 2, 1], parsed.MinorToMajor);
        Assert.Equal([8L, 128L], parsed.Tiles[0]);
        Assert.Equal([2L, 1L], parsed.Tiles[1]);
        Assert.Equal(1, parsed.MemorySpace);
        var proto = new LayoutProto { MinorToMajor = { 0, 3, 2, 1 }, MemorySpace = 1 };
        proto.Tiles.Add(new TileProto { Dimensions = { 8, 128 } });
        proto.Tiles.Add(new TileProto { Dimensions = { 2, 1 } });
        Assert.Equal(parsed, XlaLayout.FromProto(proto));
        // Skipped parts (dimension level types, index types) do not stop the parse.
        Assert.Equal("{1,0:T(8,128)}", XlaLayout.Parse("{1,0:D(D,D)T(8,128)#(s32)}").ToString());
    }

    [Theory]
    [InlineData("f32[2,3]{1,0:T(8,128)", "expected '}', got the end at column 22 of 'f32[2,3]{1,0:T(8,128)'")]
    [InlineData("f32[2,x]", "expected a dimension size, got 'x' at column 7 of 'f32[2,x]'")]
    [InlineData("f32[2,3]{1,0:Q}", "expected '(', got '}' at column 15")]
    public void Bad_shape_text_fails_saying_where(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => XlaArray.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_entry_computation_counts_and_forwarding_instructions_own_no_buffer()
    {
        const string Module = """
            HloModule m, entry_computation_layout={(f32[8,128]{1,0:T(8,128)})->f32[8,128]{1,0:T(8,128)}}

            %fused_computation (p: f32[8,128]) -> f32[8,128] {
              %p = f32[8,128]{1,0:T(8,128)} parameter(0)
              ROOT %inner = f32[8,128]{1,0:T(8,128)} negate(f32[8,128]{1,0:T(8,128)} %p)
            }

            ENTRY %main (x: f32[8,128]) -> (f32[8,128], f32[3]) {
              %x = f32[8,128]{1,0:T(8,128)} parameter(0)
              %f = (f32[8,128]{1,0:T(8,128)}, f32[3]{0:T(256)}) fusion(f32[8,128]{1,0:T(8,128)} %x), kind=kLoop, calls=%fused_computation
              %g = f32[8,128]{1,0:T(8,128)} get-tuple-element((f32[8,128]{1,0:T(8,128)}, f32[3]{0:T(256)}) %f), index=0
              %b = f32[1024]{0:T(1024)} bitcast(f32[8,128]{1,0:T(8,128)} %g)
              ROOT %t = (f32[8,128]{1,0:T(8,128)}, f32[3]{0:T(256)}) tuple(%g, %f)
            }
            """;
        var buffers = ProgramBuffers.FromHloText(Module);
        Assert.Equal(["x", "f{0}", "f{1}"], buffers.Select(b => b.Name));
        Assert.Equal("f32[3]", buffers[2].Array.ShapeText);
        Assert.Equal("{0:T(256)}", buffers[2].Array.Layout!.ToString());
        Assert.Equal(1024L, buffers[2].Array.PaddedBytes); // 3 -> 256 elements
        Assert.Equal((2 * 8 * 128 * 4) + 1024L, ProgramBuffers.TotalPaddedBytes(buffers));
    }
}
