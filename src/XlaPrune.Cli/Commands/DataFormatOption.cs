using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Programs;

namespace XlaPrune.Cli;

/// <summary>--data-format: the dimension order of the programs a command builds (docs/hlo.md says why nhwc is the default).</summary>
internal static class DataFormatOption
{
    public const string Default = "nhwc";

    /// <summary>An error naming the option, or null when <paramref name="text"/> is a known format.</summary>
    public static ValidationResult? Check(string text) =>
        text is "nhwc" or "nchw" ? null : ValidationResult.Error($"--data-format: unknown data format '{text}' (known: {DataFormats.Known})");

    /// <summary>The format of a validated option.</summary>
    public static DataFormat Parse(string text) => DataFormats.Parse(text);
}

/// <summary>Model options plus the data format: shared by the commands that build programs (hlo, layout, profile).</summary>
internal class ProgramSettings : ModelSettings
{
    [CommandOption("--data-format <F>")]
    [Description("nhwc (activations N,H,W,C and HWIO kernels, as TPUs want; default) or nchw (PyTorch's order). Checkpoints stay OIHW either way.")]
    [DefaultValue(DataFormatOption.Default)]
    public string DataFormat { get; init; } = DataFormatOption.Default;

    /// <summary>The parsed <see cref="DataFormat"/> option.</summary>
    public DataFormat Format => DataFormatOption.Parse(DataFormat);

    public override ValidationResult Validate()
    {
        var b = base.Validate();
        return b.Successful ? DataFormatOption.Check(DataFormat) ?? b : b;
    }
}
