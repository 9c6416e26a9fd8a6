using XlaPrune.Export.Onnx;
using XlaPrune.Models;

namespace XlaPrune.Cli.Tests;

/// <summary><c>xlaprune export</c>: the ONNX file it writes, and its refusals.</summary>
public sealed class ExportCommandTests(BadInputFixture f) : IClassFixture<BadInputFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-export-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData(false, 28, 0)]
    [InlineData(true, 67, 13)]
    public void Export_writes_the_checkpoints_network_as_onnx(bool keepBatchNorm, int initializers, int batchNormNodes)
    {
        var onnx = Path.Combine(_work, "model.onnx");
        string[] args = ["export", "--checkpoint", f.Checkpoint, "--format", "onnx", "--out", onnx, "--json", .. keepBatchNorm ? new[] { "--keep-batchnorm" } : []];
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 0, r.StdErr);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        var (_, metadata) = Checkpoint.Load(f.Checkpoint);
        Assert.Equal(metadata["spec"], model.MetadataProps.Single(p => p.Key == "xlaprune.spec").Value);
        Assert.Equal(initializers, model.Graph.Initializer.Count);
        Assert.Equal(batchNormNodes, model.Graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.Contains("\"opset\": 17", r.StdOut, StringComparison.Ordinal);
        Assert.Equal([onnx], Directory.GetFiles(_work));
    }

    [Fact]
    public void A_bad_checkpoint_leaves_an_existing_output_untouched()
    {
        var onnx = Path.Combine(_work, "model.onnx");
        File.WriteAllText(onnx, "previous");
        var r = CliRunner.Run("export", "--checkpoint", f.Truncated, "--out", onnx);
        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith($"xlaprune: {f.Truncated}: ", r.StdErr, StringComparison.Ordinal);
        Assert.Equal("previous", File.ReadAllText(onnx));
        Assert.Equal([onnx], Directory.GetFiles(_work));
    }

    [Fact]
    public void An_unknown_format_is_refused()
    {
        var r = CliRunner.Run("export", "--checkpoint", f.Checkpoint, "--format", "tflite", "--out", Path.Combine(_work, "m"));
        Refusal.Assert(r, 2, "--format must be onnx, got tflite");
        Assert.Empty(Directory.GetFiles(_work));
    }
}
