using System.Text.Json;

namespace XlaPrune.Cli.Tests;

public class PluginCommandTests
{
    [Fact]
    public void Plugin_info_json_has_the_documented_keys()
    {
        var r = CliRunner.Run("plugin", "info", "--json");

        Assert.Equal(0, r.ExitCode);
        var root = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal("cpu", root.GetProperty("platform_name").GetString());
        Assert.StartsWith("XlaPrune CPU ", root.GetProperty("platform_version").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, root.GetProperty("api_version").GetProperty("major").GetInt32());
        Assert.Equal(114, root.GetProperty("api_version").GetProperty("minor").GetInt32());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("attributes").ValueKind);
        var device = Assert.Single(root.GetProperty("devices").EnumerateArray());
        Assert.Equal(0, device.GetProperty("id").GetInt32());
        Assert.Equal("cpu", device.GetProperty("kind").GetString());
    }

    [Fact]
    public void Missing_plugin_is_a_bad_input_naming_the_path()
    {
        var r = CliRunner.Run("plugin", "info", "--plugin", "/nonexistent/libfoo.so");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal(
            "xlaprune: Could not load PJRT plugin '/nonexistent/libfoo.so'. Tried:\n  /nonexistent/libfoo.so: file does not exist",
            r.StdErr.Trim());
    }

    [Fact]
    public void Compile_of_a_missing_file_names_it()
    {
        var r = CliRunner.Run("compile", "/nonexistent/module.pb");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("xlaprune: cannot read HLO module /nonexistent/module.pb: no such file or directory", r.StdErr.Trim());
    }

    [Fact]
    public void Compile_of_a_corrupt_module_reports_the_pjrt_code_and_exits_1()
    {
        var path = Path.Combine(Path.GetTempPath(), $"xlaprune-corrupt-{Environment.ProcessId}.pb");
        File.WriteAllBytes(path, [0x0a, 0xff, 0x01, 0x02]); // field 1, length 255, then nothing
        try
        {
            var r = CliRunner.Run("compile", path);

            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith($"xlaprune: compiling {path} failed: INVALID_ARGUMENT: ", r.StdErr.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
