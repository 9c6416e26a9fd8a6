using System.Globalization;
using System.Text.Json;

namespace XlaPrune.Cli.Tests;

/// <summary><c>--devices</c> on train, profile and study: data-parallel runs and their refusals.</summary>
public sealed class DevicesCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-devices-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Training_on_two_devices_with_synchronised_batchnorm_follows_one_device()
    {
        var one = Train(1, sync: false);
        var two = Train(2, sync: true);
        // The same global batches and updates, summed in another order: the runs agree closely.
        Assert.True(Math.Abs(one.Loss - two.Loss) <= 1e-3 * Math.Abs(one.Loss), $"last epoch loss: 1 device {one.Loss}, 2 devices {two.Loss}");
        Assert.True(Math.Abs(one.Accuracy - two.Accuracy) <= 0.02, $"accuracy: 1 device {one.Accuracy}, 2 devices {two.Accuracy}");
    }

    [Fact]
    public void Profile_on_two_devices_reports_the_global_batch()
    {
        var r = CliRunner.Run("profile", "--in-channels", "1", "--width", "0.03125", "--devices", "2", "--batch", "8", "--steps", "1", "--warmup", "0", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        Assert.Equal(8, json.RootElement.GetProperty("batch").GetInt32());
        Assert.True(json.RootElement.GetProperty("step_ms").GetProperty("median").GetDouble() > 0);
    }

    [Theory]
    [InlineData("train --trainer pjrt --devices 3 --batch 32", "--batch 32 does not split into --devices 3 shards of at least 2 images")]
    [InlineData("train --trainer pjrt --devices 0", "--devices must be between 1 and 1024, got 0")]
    [InlineData("train --devices 2", "--devices above 1 needs --trainer pjrt")]
    [InlineData("profile --devices 2 --batch 2", "--batch 2 does not split into --devices 2 shards of at least 2 images")]
    [InlineData("study --devices 5000", "--devices must be between 1 and 1024, got 5000")]
    public void Impossible_device_counts_are_refused_naming_the_option(string command, string error)
    {
        string[] args = [.. command.Split(' '), .. command.StartsWith("profile", StringComparison.Ordinal) ? [] : new[] { "--out", Path.Combine(_work, "out") }];
        var r = CliRunner.Run(args);
        Refusal.Assert(r, 2, error);
        Assert.Empty(Directory.GetFileSystemEntries(_work));
    }

    private (double Loss, double Accuracy) Train(int devices, bool sync)
    {
        var checkpoint = Path.Combine(_work, $"d{devices}.safetensors");
        string[] args =
        [
            "train", "--trainer", "pjrt", "--devices", devices.ToString(CultureInfo.InvariantCulture), "--in-channels", "1", "--width", "0.03125",
            "--limit", "256", "--test-limit", "256", "--batch", "32", "--epochs", "1", "--lr", "0.05", "--out", checkpoint, "--json",
            .. sync ? new[] { "--sync-batchnorm" } : [],
        ];
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        return (json.RootElement.GetProperty("last_epoch_loss").GetDouble(), json.RootElement.GetProperty("test_accuracy").GetDouble());
    }
}
