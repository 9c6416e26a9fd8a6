using System.ComponentModel;
using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using Spectre.Console.Cli;
using XlaPrune.Models;

namespace XlaPrune.Cli;

/// <summary>Options that choose a model: shared by spec, hlo, layout, profile, train.</summary>
internal class ModelSettings : CommandSettings
{
    // Spec factory parameters, as their ArgumentExceptions name them, to the options that set them.
    private static readonly Dictionary<string, string> s_optionOf = new(StringComparer.Ordinal)
    {
        ["width"] = "--width",
        ["inputChannels"] = "--in-channels",
        ["classes"] = "--classes",
        ["imageSize"] = "--image-size",
    };

    [CommandOption("--model <NAME>")]
    [Description("Model family (only vgg16).")]
    [DefaultValue("vgg16")]
    public string Model { get; init; } = "vgg16";

    [CommandOption("--variant <VARIANT>")]
    [Description("cifar (default: 32x32, Linear to classes) or imagenet (224x224, 4096-4096-classes).")]
    public string? Variant { get; init; }

    [CommandOption("--width <W>")]
    [Description("Width multiplier of the unpruned channel counts (default 1), in (0, 16]].")]
    [Range(0.0, 16.0, MinimumIsExclusive = true)]
    public double? Width { get; init; }

    [CommandOption("--in-channels <C>")]
    [Description("Input image channels (default 3; train: the dataset's).")]
    [Range(1, 4096)]
    public int? InChannels { get; init; }

    [CommandOption("--classes <K>")]
    [Description("Classifier outputs (default 10 for cifar, 1000 for imagenet).")]
    [Range(1, 1_000_000)]
    public int? Classes { get; init; }

    [CommandOption("--image-size <S>")]
    [Description("Input height and width, a multiple of 32 up to 4096 (default 32 for cifar, 224 for imagenet).")]
    [Range(1, 4096)]
    public int? ImageSize { get; init; }

    /// <summary>True when any option that shapes the model was given.</summary>
    public bool AnyModelOption => Variant is not null || Width is not null || InChannels is not null || Classes is not null || ImageSize is not null;

    public override Spectre.Console.ValidationResult Validate()
    {
        if (!string.Equals(Model, "vgg16", StringComparison.Ordinal))
        {
            return Spectre.Console.ValidationResult.Error($"--model: unknown model '{Model}' (known: vgg16)");
        }

        return Variant is null or "cifar" or "imagenet"
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error($"--variant: unknown variant '{Variant}' (known: cifar, imagenet)");
    }

    /// <summary>An ArgumentException's message without the " (Parameter 'x')" suffix.</summary>
    public static string WithoutParameterName(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    /// <summary>The unpruned spec these options describe; input channels default to <paramref name="defaultInChannels"/>.</summary>
    public Vgg16Spec BuildSpec(int defaultInChannels = 3)
    {
        try
        {
            return Variant == "imagenet"
                ? Vgg16Spec.ImageNet(InChannels ?? defaultInChannels, Classes ?? 1000, Width ?? 1.0, ImageSize ?? 224)
                : Vgg16Spec.Cifar(InChannels ?? defaultInChannels, Classes ?? 10, Width ?? 1.0, ImageSize ?? 32);
        }
        catch (ArgumentException e)
        {
            // Name the option the user typed, not the spec's parameter.
            throw CliException.FromArgument(e, s_optionOf);
        }
    }
}
