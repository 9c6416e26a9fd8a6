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
    [InlineData("--width", "-1", "xlaprune: width must be a positive number, got -1")]
    [InlineData("--image-size", "28", "xlaprune: image_size must be a positive multiple of 32 (five 2x2 max-pools), got 28")]
    public void Impossible_options_give_one_line_and_exit_code_2(string option, string value, string message)
    {
        var r = CliRunner.Run("spec", option, value);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.StdErr.Trim());
        Assert.Equal("", r.StdOut);
    }
}
