using System.ComponentModel;
using Spectre.Console.Cli;
using XlaPrune.Models;

namespace XlaPrune.Cli;

/// <summary>Options that choose a model: shared by spec, hlo, layout, profile, train.</summary>
internal class ModelSettings : CommandSettings
{
    [CommandOption("--model <NAME>")]
    [Description("Model family (only vgg16).")]
    [DefaultValue("vgg16")]
    public string Model { get; init; } = "vgg16";

    [CommandOption("--variant <VARIANT>")]
    [Description("cifar (32x32, Linear to classes) or imagenet (224x224, 4096-4096-classes).")]
    [DefaultValue("cifar")]
    public string Variant { get; init; } = "cifar";

    [CommandOption("--width <W>")]
    [Description("Width multiplier of the unpruned channel counts.")]
    [DefaultValue(1.0)]
    public double Width { get; init; } = 1.0;

    [CommandOption("--in-channels <C>")]
    [Description("Input image channels (default 3).")]
    [DefaultValue(3)]
    public int InChannels { get; init; } = 3;

    [CommandOption("--classes <K>")]
    [Description("Classifier outputs (default 10 for cifar, 1000 for imagenet).")]
    public int? Classes { get; init; }

    [CommandOption("--image-size <S>")]
    [Description("Input height and width, a multiple of 32 (default 32 for cifar, 224 for imagenet).")]
    public int? ImageSize { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (!string.Equals(Model, "vgg16", StringComparison.Ordinal))
        {
            return Spectre.Console.ValidationResult.Error($"--model: unknown model '{Model}' (known: vgg16)");
        }

        return Variant is "cifar" or "imagenet"
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error($"--variant: unknown variant '{Variant}' (known: cifar, imagenet)");
    }

    /// <summary>An ArgumentException's message without the " (Parameter 'x')" suffix.</summary>
    public static string WithoutParameterName(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    /// <summary>The unpruned spec these options describe.</summary>
    public Vgg16Spec BuildSpec()
    {
        try
        {
            return Variant == "imagenet"
                ? Vgg16Spec.ImageNet(InChannels, Classes ?? 1000, Width, ImageSize ?? 224)
                : Vgg16Spec.Cifar(InChannels, Classes ?? 10, Width, ImageSize ?? 32);
        }
        catch (ArgumentException e)
        {
            // Name the option the user typed, not the spec's parameter.
            var option = e.ParamName switch
            {
                "width" => "--width",
                "inputChannels" => "--in-channels",
                "classes" => "--classes",
                "imageSize" => "--image-size",
                _ => null,
            };
            var message = WithoutParameterName(e);
            throw new CliException(ExitCodes.Usage, option is null ? message : $"{option}: {message}", e);
        }
    }
}
