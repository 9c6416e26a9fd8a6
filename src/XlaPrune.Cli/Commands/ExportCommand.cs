using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Export;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune export</c>: a checkpoint (pruned or not) as an ONNX inference graph.</summary>
internal sealed class ExportCommand : Command<ExportCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <FILE>")]
        [Description("The checkpoint to export (from train, prune or study); its spec gives the network.")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--format <FORMAT>")]
        [Description("Output format: onnx.")]
        [DefaultValue("onnx")]
        public string Format { get; init; } = "onnx";

        [CommandOption("--keep-batchnorm")]
        [Description("Keep BatchNormalization nodes instead of folding them into the convolutions.")]
        public bool KeepBatchNorm { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("The .onnx file to write (replaced only by a complete new file).")]
        public string Out { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print a JSON summary.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint is required")
            : string.IsNullOrEmpty(Out) ? ValidationResult.Error("--out is required")
            : Format != "onnx" ? ValidationResult.Error($"--format must be onnx, got {Format}")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Output.CheckOutputFile(settings.Out);
        var (spec, weights, _) = Inputs.LoadCheckpoint(settings.Checkpoint);
        var batchNorm = settings.KeepBatchNorm ? BatchNormExport.Kept : BatchNormExport.Folded;
        var bytes = OnnxExporter.Export(spec, weights, batchNorm);
        Output.WriteFileAtomically(settings.Out, bytes);
        if (settings.Json)
        {
            Output.PrintJson(new
            {
                @out = settings.Out,
                format = "onnx",
                ir_version = OnnxExporter.IrVersion,
                opset = OnnxExporter.Opset,
                batchnorm = batchNorm == BatchNormExport.Folded ? "folded" : "kept",
                input = new { name = OnnxExporter.InputName, shape = new object[] { "batch", spec.InputChannels, spec.ImageSize, spec.ImageSize } },
                output = new { name = OnnxExporter.OutputName, shape = new object[] { "batch", spec.Classes } },
                model = spec.Describe(),
                bytes = bytes.Length,
            });
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"{spec.Describe()}: wrote {settings.Out} (ONNX IR {OnnxExporter.IrVersion}, opset {OnnxExporter.Opset}, BatchNorm {(settings.KeepBatchNorm ? "kept" : "folded")}, {bytes.Length} bytes)");
        }

        return ExitCodes.Success;
    }
}
