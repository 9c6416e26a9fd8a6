using XlaPrune.Layout;

namespace XlaPrune.Layout.Tests;

/// <summary>Candidate layouts of single tensors, checked against layouts XLA printed on TPUs (sources in docs/layout.md).</summary>
public class LayoutTests
{
    private static LayoutRange Activation(params long[] nhwc) => LayoutCandidates.For(LayoutClass.ConvActivation, ElementType.F32, nhwc, ConvDimensions.NhwcActivation);

    [Fact]
    public void Tpu_v3_conv2d_activation_with_18_features_is_batch_minor_with_the_reported_sizes()
    {
        // Reported by a TPU v3 out-of-memory dump (E1): f32[128,256,896,18]{0,3,2,1:T(8,128)}, unpadded 1.97G,
        // size 2.62G, "extra memory due to padding: 672.00M (1.3x expansion)". Batch-minor: 128 stays 128 (minor),
        // 18 rounds up to 24 (second-minor, tile 8): 256·896·24·128·4 bytes.
        var r = Activation(128, 256, 896, 18);

        Assert.Equal("f32[128,256,896,18]{0,3,2,1:T(8,128)}", r.Preferred.Layout.ToString());
        Assert.Equal("batch-minor", r.Preferred.Name);
        Assert.Equal("A1", r.Rule);
        Assert.Equal(128L * 256 * 896 * 18 * 4, r.LogicalBytes);          // 1.96875 GiB
        Assert.Equal(256L * 896 * 24 * 128 * 4, r.Preferred.PaddedBytes); // 2.625 GiB
        Assert.Equal(672L << 20, r.Preferred.PaddedBytes - r.LogicalBytes);
        // Feature-minor would pad 18 to 128: 7.1x.
        var featureMinor = r.Candidates.Single(c => c.Name == "feature-minor");
        Assert.Equal("f32[128,256,896,18]{3,0,2,1:T(8,128)}", featureMinor.Layout.ToString());
        Assert.Equal(256L * 896 * 128 * 128 * 4, featureMinor.PaddedBytes);
        Assert.Equal((r.Preferred.PaddedBytes, featureMinor.PaddedBytes), (r.MinPaddedBytes, r.MaxPaddedBytes));
    }

    [Fact]
    public void Xla_test_layouts_batch_minor_for_10_features_feature_minor_for_384()
    {
        // XLA's layout-assignment test HLO (E2): f32[64,243,243,10]{0,3,2,1} beside f32[64,243,243,384]{3,0,2,1}.
        var ten = Activation(64, 243, 243, 10);
        Assert.Equal("f32[64,243,243,10]{0,3,2,1:T(8,128)}", ten.Preferred.Layout.ToString());
        Assert.Equal(243L * 243 * 16 * 128 * 4, ten.Preferred.PaddedBytes); // 64 -> 128 minor, 10 -> 16 second-minor
        Assert.Equal(243L * 243 * 64 * 128 * 4, ten.MaxPaddedBytes);        // feature-minor: 10 -> 128

        var wide = Activation(64, 243, 243, 384);
        Assert.Equal("f32[64,243,243,384]{3,0,2,1:T(8,128)}", wide.Preferred.Layout.ToString());
        Assert.Equal(wide.LogicalBytes, wide.Preferred.PaddedBytes);
        Assert.Equal(243L * 243 * 384 * 128 * 4, wide.MaxPaddedBytes); // batch-minor: 64 -> 128
    }

    [Fact]
    public void Nchw_dimensions_give_the_same_bytes_as_nhwc()
    {
        var nchw = LayoutCandidates.For(LayoutClass.ConvActivation, ElementType.F32, [64, 10, 243, 243], ConvDimensions.NchwActivation);
        Assert.Equal("f32[64,10,243,243]{0,1,3,2:T(8,128)}", nchw.Preferred.Layout.ToString());
        Assert.Equal(Activation(64, 243, 243, 10).Preferred.PaddedBytes, nchw.Preferred.PaddedBytes);
    }

    [Fact]
    public void Kernels_output_minor_and_entry_parameters_keep_row_major()
    {
        // TPU v3 dump (E1): an HWIO kernel f32[1,1,8,18]{3,2,1,0:T(8,128)}: 18 -> 128, 8 stays 8.
        var hwio = LayoutCandidates.For(LayoutClass.ConvKernel, ElementType.F32, [1, 1, 8, 18], ConvDimensions.HwioKernel);
        Assert.Equal("f32[1,1,8,18]{3,2,1,0:T(8,128)}", hwio.Preferred.Layout.ToString());
        Assert.Equal(8L * 128 * 4, hwio.Preferred.PaddedBytes);

        // An OIHW entry parameter keeps row-major: 3x3 minor, the 3 compacted to a (4,128) tile: about 57x.
        var oihw = LayoutCandidates.For(LayoutClass.ConvKernel, ElementType.F32, [512, 512, 3, 3], ConvDimensions.OihwKernel, entryParameter: true);
        Assert.Equal("f32[512,512,3,3]{3,2,1,0:T(4,128)}", oihw.Preferred.Layout.ToString());
        Assert.Equal(512L * 512 * 4 * 128 * 4, oihw.Preferred.PaddedBytes);
        Assert.Equal(512L * 512 * 9 * 4, oihw.MinPaddedBytes); // output-minor would not pad at all
        Assert.Equal(512L * 512 * 8 * 128 * 4, oihw.MaxPaddedBytes); // row-major with the full (8,128) tile

        // The same kernel in HWIO as an entry parameter: row-major is output-minor, no padding.
        var hwioParam = LayoutCandidates.For(LayoutClass.ConvKernel, ElementType.F32, [3, 3, 512, 512], ConvDimensions.HwioKernel, entryParameter: true);
        Assert.Equal(hwioParam.LogicalBytes, hwioParam.Preferred.PaddedBytes);
    }

    [Fact]
    public void Compact_tiles_for_second_minor_dimensions_up_to_4_with_the_full_tile_as_a_candidate()
    {
        // conv1 of an RGB model in HWIO: f32[3,3,3,64], output-minor; second-minor I = 3 -> (4,128) tile.
        var k = LayoutCandidates.For(LayoutClass.ConvKernel, ElementType.F32, [3, 3, 3, 64], ConvDimensions.HwioKernel);
        Assert.Equal("f32[3,3,3,64]{3,2,1,0:T(4,128)}", k.Preferred.Layout.ToString());
        Assert.Equal(9L * 4 * 128 * 4, k.Preferred.PaddedBytes);
        Assert.Contains(k.Candidates, c => c.Layout.ToString() == "f32[3,3,3,64]{3,2,1,0:T(8,128)}" && c.PaddedBytes == 9L * 8 * 128 * 4);
        var two = LayoutCandidates.For(LayoutClass.Matrix, ElementType.F32, [2, 100]);
        Assert.Equal("f32[2,100]{1,0:T(2,128)}", two.Preferred.Layout.ToString());
        Assert.Equal(2L * 128 * 4, two.Preferred.PaddedBytes);
    }

    [Fact]
    public void Matrices_vectors_scalars_and_bf16()
    {
        var logits = LayoutCandidates.For(LayoutClass.Matrix, ElementType.F32, [128, 10]);
        Assert.Equal("f32[128,10]{1,0:T(8,128)}", logits.Preferred.Layout.ToString());
        Assert.Equal((128L * 128 * 4, 16L * 128 * 4), (logits.MaxPaddedBytes, logits.MinPaddedBytes)); // {0,1}: 10 -> 16

        var v = LayoutCandidates.For(LayoutClass.Vector, ElementType.F32, [18]);
        Assert.Equal("f32[18]{0:T(256)}", v.Preferred.Layout.ToString()); // as printed on the TPU v3 (E1)
        Assert.Equal((128L * 4, 1024L * 4), (v.MinPaddedBytes, v.MaxPaddedBytes));

        var s = LayoutCandidates.For(LayoutClass.Scalar, ElementType.F32, []);
        Assert.Equal("f32[]{:T(256)}", s.Preferred.Layout.ToString());
        Assert.Equal(1024, s.Preferred.PaddedBytes);

        // XLA test HLO: bf16[128,14,14,1024]{3,0,2,1:T(8,128)(2,1)}: no padding, two bytes an element.
        var bf = LayoutCandidates.For(LayoutClass.ConvActivation, ElementType.BF16, [128, 14, 14, 1024], ConvDimensions.NhwcActivation);
        Assert.Equal("bf16[128,14,14,1024]{3,0,2,1:T(8,128)(2,1)}", bf.Preferred.Layout.ToString());
        Assert.Equal(128L * 14 * 14 * 1024 * 2, bf.Preferred.PaddedBytes);
        Assert.Equal(bf.Preferred.PaddedBytes, bf.LogicalBytes);
    }

    [Fact]
    public void Pruning_512_to_400_features_depends_on_the_per_device_batch()
    {
        long Padded(long batch, long c) => Activation(batch, 4, 4, c).Preferred.PaddedBytes;

        // Per-device batch 8: feature-minor (batch-minor would pad 8 -> 128); 400 features take 512, 384 save a quarter.
        Assert.Equal(4L * 4 * 8 * 512 * 4, Padded(8, 400));
        Assert.Equal(Padded(8, 512), Padded(8, 400));
        Assert.Equal(4L * 4 * 8 * 384 * 4, Padded(8, 384));
        // Per-device batch 128: batch-minor pads 400 only to a multiple of 8, i.e. not at all (E3's second rule).
        var r = Activation(128, 4, 4, 400);
        Assert.Equal("f32[128,4,4,400]{0,3,2,1:T(8,128)}", r.Preferred.Layout.ToString());
        Assert.Equal(r.LogicalBytes, r.Preferred.PaddedBytes);
        Assert.Equal(4L * 4 * 128 * 512 * 4, r.MaxPaddedBytes);
    }

    [Theory]
    [InlineData("f32[128,32,32,18]", ElementType.F32, new long[] { 128, 32, 32, 18 })]
    [InlineData("bf16[7]", ElementType.BF16, new long[] { 7 })]
    [InlineData("f32[]", ElementType.F32, new long[0])]
    public void Shape_text_parses(string text, ElementType type, long[] dims)
    {
        var (t, d) = TensorShapeText.Parse(text);
        Assert.Equal(type, t);
        Assert.Equal(dims, d);
    }

    [Theory]
    [InlineData("f32[2,x]", "shape 'f32[2,x]': dimension 'x' is not a whole number of at least 1")]
    [InlineData("f32[2,0]", "shape 'f32[2,0]': dimension '0' is not a whole number of at least 1")]
    [InlineData("s8[2]", "shape 's8[2]': unknown element type 's8' (known: f32, bf16)")]
    [InlineData("f32[2]{0}", "shape 'f32[2]{0}': expected TYPE[D0,D1,...] such as f32[128,32,32,18] (no layout)")]
    public void Bad_shape_text_names_the_problem(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => TensorShapeText.Parse(text)).Message);

    [Theory]
    [InlineData(512, 400, TileRounding.Nearest, 384)]
    [InlineData(512, 450, TileRounding.Nearest, 512)]
    [InlineData(512, 400, TileRounding.Up, 512)]
    [InlineData(512, 500, TileRounding.Down, 384)]
    [InlineData(512, 30, TileRounding.Down, 128)]
    [InlineData(64, 40, TileRounding.Nearest, 40)]
    [InlineData(200, 190, TileRounding.Up, 200)]
    public void Tile_aware_rounding(int original, int desired, TileRounding rounding, int expected) =>
        Assert.Equal(expected, TileAwareChannels.Round(original, desired, rounding));
}
