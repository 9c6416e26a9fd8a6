using System.Text.Json;

namespace XlaPrune.Cli.Tests;

public class SpecCommandTests
{
    [Fact]
    public void Spec_json_reports_counts()
    {
        var r = CliRunner.Run("spec", "--width", "0.25", "--in-channels", "1", "--json");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(922_842, doc.RootElement.GetProperty("params").GetInt64());
        Assert.Equal(19_612_928, doc.RootElement.GetProperty("macs").GetInt64());
    }

    [Theory]
    [InlineData("--variant", "foo", "xlaprune: --variant: unknown variant 'foo' (known: cifar, imagenet)")]
    [InlineData("--width", "-1", "xlaprune: --width: must be in (0, 16], got -1")]
    [InlineData("--image-size", "28", "xlaprune: --image-size: image_size must be a positive multiple of 32 (five 2x2 max-pools), got 28")]
    public void Impossible_options_give_one_line_and_exit_code_2(string option, string value, string message)
    {
        var r = CliRunner.Run("spec", option, value);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.StdErr.Trim());
        Assert.Equal("", r.StdOut);
    }
}

public sealed class HloAndProfileCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Hlo_writes_a_module_the_plugin_compiles_and_profile_reports_the_documented_keys()
    {
        var pb = Path.Combine(_dir, "step.pb");
        var hlo = CliRunner.Run("hlo", "--width", "0.0625", "--in-channels", "1", "--batch", "2", "--out", pb, "--text", Path.Combine(_dir, "step.hlo"));
        Assert.Equal(0, hlo.ExitCode);
        Assert.StartsWith("HloModule ", File.ReadAllText(Path.Combine(_dir, "step.hlo")), StringComparison.Ordinal);

        var compile = CliRunner.Run("compile", pb, "--json");
        Assert.Equal(0, compile.ExitCode);
        // 41 parameters, 41 momenta, 26 BatchNorm statistics and the loss.
        Assert.Equal(41 + 41 + 26 + 1, JsonDocument.Parse(compile.StdOut).RootElement.GetProperty("outputs").GetArrayLength());

        var profile = CliRunner.Run("profile", "--width", "0.0625", "--in-channels", "1", "--batch", "2", "--steps", "1", "--warmup", "0", "--json");
        Assert.Equal(0, profile.ExitCode);
        var root = JsonDocument.Parse(profile.StdOut).RootElement;
        Assert.Equal("cpu", root.GetProperty("plugin").GetProperty("platform_name").GetString());
        Assert.True(root.GetProperty("compile_ms").GetDouble() > 0);
        Assert.Equal(["median", "p10", "p90"], root.GetProperty("step_ms").EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("flops").GetDouble() > 0);
        Assert.Equal(["argument_bytes", "output_bytes", "temp_bytes", "alias_bytes", "peak_bytes"], root.GetProperty("memory").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Unwritable_output_is_exit_code_4_and_leaves_nothing()
    {
        var r = CliRunner.Run("hlo", "--width", "0.0625", "--batch", "2", "--out", "/proc/xlaprune/step.pb");

        Assert.Equal(4, r.ExitCode);
        Assert.StartsWith("xlaprune: cannot write /proc/xlaprune/step.pb: ", r.StdErr.Trim(), StringComparison.Ordinal);
    }
}

public class LayoutCommandTests
{
    [Fact]
    public void Layout_json_has_model_and_plugin_figures_per_tensor()
    {
        var r = CliRunner.Run("layout", "--width", "0.125", "--batch", "8", "--plugin", "cpu", "--json");

        Assert.Equal(0, r.ExitCode);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        var conv1 = root.GetProperty("tensors")[0];
        Assert.Equal("conv1.weight", conv1.GetProperty("name").GetString());
        // NHWC by default: an HWIO entry parameter, row-major: 8 output features -> 128, 3 inputs in a (4,128) tile.
        Assert.Equal("f32[3,3,3,8]{3,2,1,0:T(4,128)}", conv1.GetProperty("layout").GetString());
        Assert.Equal("A2", conv1.GetProperty("rule").GetString());
        Assert.Equal(8 * 3 * 9 * 4, conv1.GetProperty("logical_bytes").GetInt64());
        Assert.Equal(9 * 4 * 128 * 4, conv1.GetProperty("tpu_padded_bytes").GetInt64());
        // The other candidates: the same order with the full (8,128) tile, or input-minor (3 -> 128, 8 second-minor).
        Assert.Equal(9 * 4 * 128 * 4, conv1.GetProperty("tpu_padded_bytes_min").GetInt64());
        Assert.Equal(9 * 8 * 128 * 4, conv1.GetProperty("tpu_padded_bytes_max").GetInt64());
        // Our CPU plugin stores arrays densely, row-major: its real figures equal the logical ones.
        Assert.Equal("{3,2,1,0}", conv1.GetProperty("device_layout").GetString());
        Assert.Equal(root.GetProperty("totals").GetProperty("logical_bytes").GetInt64(), root.GetProperty("device_total_bytes").GetInt64());
    }

    [Fact]
    public void Layout_of_one_tensor_lists_candidates_and_the_preferred_one()
    {
        var r = CliRunner.Run("layout", "--tensor", "f32[128,256,896,18]", "--role", "conv-activation", "--json");

        Assert.Equal(0, r.ExitCode);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal("f32[128,256,896,18]{0,3,2,1:T(8,128)}", root.GetProperty("preferred").GetProperty("layout").GetString());
        Assert.Equal(256L * 896 * 24 * 128 * 4, root.GetProperty("preferred").GetProperty("padded_bytes").GetInt64());
        Assert.Equal(
            ["f32[128,256,896,18]{3,0,2,1:T(8,128)}", "f32[128,256,896,18]{0,3,2,1:T(8,128)}"],
            root.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("layout").GetString()));
        Assert.Equal(256L * 896 * 128 * 128 * 4, root.GetProperty("padded_bytes_max").GetInt64());
    }

    [Fact]
    public void Layout_in_bf16_places_bf16_tensors_on_the_plugin()
    {
        var r = CliRunner.Run("layout", "--width", "0.0625", "--batch", "4", "--dtype", "bf16", "--plugin", "cpu", "--json");

        Assert.Equal(0, r.ExitCode);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        var conv1 = root.GetProperty("tensors")[0];
        Assert.Equal("bf16[3,3,3,4]{3,2,1,0:T(4,128)(2,1)}", conv1.GetProperty("layout").GetString());
        Assert.Equal(3 * 3 * 3 * 4 * 2, conv1.GetProperty("device_bytes").GetInt64()); // two bytes an element on the device too
        Assert.Equal(9 * 4 * 128 * 2, conv1.GetProperty("tpu_padded_bytes").GetInt64());
        Assert.Equal(root.GetProperty("totals").GetProperty("logical_bytes").GetInt64(), root.GetProperty("device_total_bytes").GetInt64());
    }

    [Fact]
    public void Layout_models_the_per_device_batch()
    {
        var r = CliRunner.Run("layout", "--width", "0.0625", "--batch", "16", "--devices", "4", "--json");

        Assert.Equal(0, r.ExitCode);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(4, root.GetProperty("per_device_batch").GetInt32());
        var images = root.GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "images");
        Assert.Equal([4L, 32, 32, 3], images.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("input", images.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("f32[2,x]", "conv-activation", "xlaprune: --tensor: shape 'f32[2,x]': dimension 'x' is not a whole number of at least 1")]
    [InlineData("f32[2,3]", "conv-activation", "xlaprune: --tensor: a conv-activation has rank 4, got [2,3]")]
    public void Bad_tensor_is_a_usage_error_naming_the_option(string shape, string role, string message)
    {
        var r = CliRunner.Run("layout", "--tensor", shape, "--role", role);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.StdErr.Trim());
    }
}

public sealed class TrainPruneCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-prune-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Tile_aware_prune_keeps_whole_tiles_and_reports_the_plain_plan_beside_it()
    {
        var checkpoint = Path.Combine(_dir, "base.safetensors");
        var train = CliRunner.Run("train", "--width", "0.5", "--in-channels", "1", "--epochs", "1", "--limit", "64", "--test-limit", "32", "--out", checkpoint, "--json");
        Assert.Equal(0, train.ExitCode);
        Assert.InRange(JsonDocument.Parse(train.StdOut).RootElement.GetProperty("test_accuracy").GetDouble(), 0, 1);

        var r = CliRunner.Run("prune", "--checkpoint", checkpoint, "--ratio", "0.3", "--tile-aware", "--dataset", "none", "--out", Path.Combine(_dir, "p"), "--json");

        Assert.Equal(0, r.ExitCode);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        var kept = root.GetProperty("conv_channels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] original = [32, 32, 64, 64, 128, 128, 128, 256, 256, 256, 256, 256, 256];
        for (var i = 0; i < kept.Length; i++)
        {
            Assert.True(original[i] <= 128 || kept[i] % 128 == 0, $"conv{i + 1} keeps {kept[i]} of {original[i]}");
        }

        Assert.True(root.GetProperty("tpu_padded_bytes").GetInt64() <= root.GetProperty("plain_tpu_padded_bytes").GetInt64());
        Assert.True(File.Exists(Path.Combine(_dir, "p", "plan.json")));
        Assert.True(File.Exists(Path.Combine(_dir, "p", "pruned.safetensors")));
    }
}
