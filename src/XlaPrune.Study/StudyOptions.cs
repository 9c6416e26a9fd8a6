using System.Globalization;
using XlaPrune.Models;
using XlaPrune.Pruning;
using XlaPrune.Torch;

namespace XlaPrune.Study;

/// <summary>Which trainer retrains the models.</summary>
public enum TrainerKind
{
    /// <summary>The TorchSharp reference trainer.</summary>
    Torch,

    /// <summary>The HLO train step on the chosen PJRT plugin.</summary>
    Pjrt,
}

/// <summary>Everything a study run needs; presets fill sensible values.</summary>
public sealed record StudyOptions
{
    /// <summary>Preset name (quick, standard or paper).</summary>
    public required string Preset { get; init; }

    /// <summary>fashion-mnist, cifar10 or imagenet-folder.</summary>
    public required string Dataset { get; init; }

    /// <summary>Folder of the dataset files.</summary>
    public required string DatasetDirectory { get; init; }

    /// <summary>The unpruned model.</summary>
    public required Vgg16Spec Model { get; init; }

    /// <summary>Methods: importance-reload|scratch, e.g. slimming-reload.</summary>
    public required IReadOnlyList<string> Methods { get; init; }

    /// <summary>Pruned ratios; 0 is each seed's original model, shared by every method (not retrained).</summary>
    public required IReadOnlyList<double> Ratios { get; init; }

    /// <summary>Number of seeds (0..Seeds-1).</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Training images used (null: all).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Test images used (null: all).</summary>
    public int? TestLimit { get; init; }

    /// <summary>Epochs of the baseline (trained with Network Slimming's sparsity).</summary>
    public int BaselineEpochs { get; init; }

    /// <summary>Epochs of retraining after pruning with reloaded weights.</summary>
    public int RetrainEpochs { get; init; }

    /// <summary>
    /// Epochs of a <c>-scratch</c> method: the baseline's plus the retraining's, so that a network trained
    /// from scratch gets the same number of passes over the data as the original plus its fine-tuning.
    /// </summary>
    public int ScratchEpochs => BaselineEpochs + RetrainEpochs;

    /// <summary>How L1 (Li et al.) applies the ratio: per layer by default, as Li et al. do; Network Slimming is always global.</summary>
    public PlanScope L1Scope { get; init; } = PlanScope.PerLayer;

    /// <summary>Training hyper-parameters (batch, lr, momentum...).</summary>
    public TrainOptions Training { get; init; } = new();

    /// <summary>λ of the baseline's L1 sparsity on BatchNorm scales.</summary>
    public double SlimmingLambda { get; init; } = 1e-4;

    /// <summary>Batch of the profiled train step.</summary>
    public int ProfileBatch { get; init; } = 128;

    /// <summary>Timed steps per profile.</summary>
    public int ProfileSteps { get; init; } = 10;

    /// <summary>Untimed warm-up steps per profile.</summary>
    public int ProfileWarmup { get; init; } = 2;

    /// <summary>Per-layer floor of kept channels.</summary>
    public double FloorFraction { get; init; } = 0.1;

    /// <summary>Round kept channels to whole TPU tiles.</summary>
    public bool TileAware { get; init; }

    /// <summary>Who retrains.</summary>
    public TrainerKind Trainer { get; init; } = TrainerKind.Torch;

    /// <summary>Dimension order of the HLO programs (profiled, PJRT-trained, and read by the layout model).</summary>
    public Programs.DataFormat DataFormat { get; init; } = Programs.DataFormat.Nhwc;

    /// <summary>Output folder.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The quick preset: Fashion-MNIST, VGG-16 at 1/8 width, a few thousand images; minutes on 2 cores.</summary>
    public static StudyOptions Quick(string outputDirectory) => new()
    {
        Preset = "quick",
        Dataset = "fashion-mnist",
        DatasetDirectory = Torch.Data.FashionMnist.DefaultDirectory,
        Model = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.125),
        Methods = ["slimming-reload", "slimming-scratch", "l1-reload"],
        Ratios = [0, 0.3, 0.5, 0.7, 0.9],
        TrainLimit = 6000,
        TestLimit = 2000,
        BaselineEpochs = 3,
        RetrainEpochs = 1,
        Training = new TrainOptions { BatchSize = 128, LearningRate = 0.05 },
        ProfileBatch = 128,
        ProfileSteps = 5,
        ProfileWarmup = 1,
        OutputDirectory = outputDirectory,
    };

    /// <summary>
    /// The standard preset: all 60,000 Fashion-MNIST training and 10,000 test images, VGG-16 at 1/8 width,
    /// 3 seeds; sized for a baseline of at least 0.90 test accuracy (0.9114 ± 0.0094 measured); about 30 minutes on 2 idle cores.
    /// </summary>
    public static StudyOptions Standard(string outputDirectory) => Quick(outputDirectory) with
    {
        Preset = "standard",
        Seeds = 3,
        TrainLimit = null,
        TestLimit = null,
        BaselineEpochs = 3,
        RetrainEpochs = 1,
        Training = new TrainOptions { BatchSize = 128, LearningRate = 0.05, Schedule = LrSchedule.Cosine },
    };

    /// <summary>The paper's settings (CIFAR-10, full VGG-16, batch 128, SGD 0.9, lr 0.01), for an accelerator.</summary>
    public static StudyOptions Paper(string outputDirectory, string datasetDirectory) => new()
    {
        Preset = "paper",
        Dataset = "cifar10",
        DatasetDirectory = datasetDirectory,
        Model = Vgg16Spec.Cifar(),
        Methods = ["slimming-reload", "slimming-scratch", "l1-reload"],
        Ratios = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
        BaselineEpochs = 100,
        RetrainEpochs = 40,
        Training = new TrainOptions { BatchSize = 128, LearningRate = 0.01, Schedule = LrSchedule.Step },
        ProfileBatch = 128,
        ProfileSteps = 50,
        ProfileWarmup = 5,
        OutputDirectory = outputDirectory,
    };

    /// <summary>
    /// The same study on an ImageNet-style folder (<c>train/</c> and <c>val/</c> class folders): the ImageNet
    /// VGG-16 (224x224 input, classifier 4096-4096-<paramref name="classes"/>) at this study's width.
    /// </summary>
    public StudyOptions ForImageNet(string datasetDirectory, int classes) => this with
    {
        Dataset = "imagenet-folder",
        DatasetDirectory = datasetDirectory,
        Model = Vgg16Spec.ImageNet(inputChannels: 3, classes: classes, width: Model.Width),
    };

    /// <summary>Checks methods and ratios.</summary>
    /// <exception cref="ArgumentException">The first bad value.</exception>
    public void Validate()
    {
        foreach (var m in Methods)
        {
            try
            {
                _ = ParseMethod(m);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal), nameof(Methods), e);
            }
        }

        foreach (var r in Ratios)
        {
            if (!(r >= 0 && r < 1))
            {
                throw new ArgumentException($"ratio {r.ToString(CultureInfo.InvariantCulture)} is outside [0, 1)", nameof(Ratios));
            }
        }

        if (Seeds < 1)
        {
            throw new ArgumentException($"seeds must be at least 1, got {Seeds}", nameof(Seeds));
        }
    }

    /// <summary>Splits <c>slimming-reload</c> into the importance name and whether weights are reloaded.</summary>
    public static (string Importance, bool Reload) ParseMethod(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        var dash = method.LastIndexOf('-');
        var importance = dash > 0 ? method[..dash] : "";
        var mode = dash > 0 ? method[(dash + 1)..] : "";
        if (importance is not ("slimming" or "l1") || mode is not ("reload" or "scratch"))
        {
            throw new ArgumentException($"unknown method '{method}' (known: slimming-reload, slimming-scratch, l1-reload, l1-scratch)");
        }

        return (importance, mode == "reload");
    }
}
