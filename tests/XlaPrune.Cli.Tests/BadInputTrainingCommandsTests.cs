namespace XlaPrune.Cli.Tests;

/// <summary>Bad input to the commands that read checkpoints and datasets: train, prune, eval, study.</summary>
public sealed class BadInputTrainingCommandsTests(BadInputFixture f) : IClassFixture<BadInputFixture>, IDisposable
{
    private const string Tiny = "--in-channels 1 --width 0.03125 --limit 32 --test-limit 16 --batch 16";

    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-bad-out-").FullName;

    public void Dispose()
    {
        Assert.Equal(f.Before, BadInputFixture.Listing(f.Inputs));
        Directory.Delete(_work, recursive: true);
    }

    private CliRunner.Result Run(string command) => CliRunner.RunIn(_work, command.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private void AssertNothingWritten() => Assert.Empty(BadInputFixture.Listing(_work));

    [Theory]
    [InlineData("train --out t.safetensors --epochs 0", "--epochs must be at least 1, got 0")]
    [InlineData("train --out t.safetensors --batch 0", "--batch must be at least 1, got 0")]
    [InlineData("train --out t.safetensors --limit 0", "--limit must be at least 1, got 0")]
    [InlineData("train --out t.safetensors --test-limit -5", "--test-limit must be at least 1, got -5")]
    [InlineData("train --out t.safetensors --lr -1", "--lr must be a positive number, got -1")]
    [InlineData("train --out t.safetensors --weight-decay -0.1", "--weight-decay and --slimming-lambda must not be negative")]
    [InlineData("train --out t.safetensors --schedule linear", "--schedule: unknown schedule 'linear' (known: constant, step, cosine)")]
    [InlineData("train --out t.safetensors --dataset mnist", "--dataset: unknown dataset 'mnist' (known: fashion-mnist, cifar10, imagenet-folder)")]
    [InlineData("train --out t.safetensors --dataset cifar10", "--dataset-dir: required for cifar10 (the folder of data_batch_*.bin)")]
    [InlineData("train --out t.safetensors --width 0", "--width: must be in (0, 16], got 0")]
    [InlineData("prune --checkpoint ck --out p --ratio -0.1", "--ratio must be in [0, 1), got -0.1")]
    [InlineData("prune --checkpoint ck --out p --ratio 1", "--ratio must be in [0, 1), got 1")]
    [InlineData("prune --checkpoint ck --out p --ratio 0.5 --floor 2", "--floor must be in [0, 1], got 2")]
    [InlineData("prune --checkpoint ck --out p --ratio 0.5 --round-to 0", "--round-to must be at least 1, got 0")]
    [InlineData("prune --checkpoint ck --out p --ratio 0.5 --rounding up", "--rounding: unknown mode 'up' (known: down, nearest)")]
    [InlineData("prune --checkpoint ck --out p --ratio 0.5 --reload --scratch", "--reload and --scratch exclude each other")]
    [InlineData("prune --checkpoint ck --out p --ratio 0.5 --test-limit 0", "--test-limit must be at least 1, got 0")]
    [InlineData("prune --ratio 0.5", "--checkpoint and --out are required")]
    [InlineData("eval --checkpoint ck --test-limit 0", "--test-limit must be at least 1, got 0")]
    [InlineData("eval --checkpoint ck --test-limit -5", "--test-limit must be at least 1, got -5")]
    [InlineData("eval", "--checkpoint is required")]
    [InlineData("study --out s --ratios 0,1.5", "--ratios: ratio 1.5 is outside [0, 1)")]
    [InlineData("study --out s --ratios 0,half", "--ratios: '0,half' is not a comma-separated list of numbers")]
    [InlineData("study --out s --methods slimming-reload,magnitude-reload", "--methods: unknown method 'magnitude-reload' (known: slimming-reload, slimming-scratch, l1-reload, l1-scratch)")]
    [InlineData("study --out s --seeds 0", "--seeds must be at least 1")]
    [InlineData("study --out s --preset huge", "--preset: unknown preset 'huge' (known: quick, paper)")]
    [InlineData("study --out s --trainer jax", "--trainer: unknown trainer 'jax' (known: torch, pjrt)")]
    [InlineData("study --out s --train-limit 0", "--train-limit and --test-limit must be at least 1")]
    [InlineData("study --out s --baseline-epochs 0", "--baseline-epochs must be at least 1 and --retrain-epochs at least 0")]
    [InlineData("study --out s --preset paper", "--dataset-dir is required for the paper preset (CIFAR-10 binary batches)")]
    [InlineData("study --out s --dataset mnist", "--dataset: unknown dataset 'mnist' (known: fashion-mnist, cifar10, imagenet-folder)")]
    [InlineData("study", "--out: the output folder is required")]
    public void Impossible_options_exit_2_naming_the_option_and_write_nothing(string command, string message)
    {
        Refusal.Assert(Run(command.Replace(" ck ", $" {f.Checkpoint} ", StringComparison.Ordinal)), 2, message);
        AssertNothingWritten();
    }

    [Theory]
    [InlineData("eval --checkpoint {0}")]
    [InlineData("prune --ratio 0.5 --dataset none --out p --checkpoint {0}")]
    public void Missing_corrupt_mismatched_or_directory_checkpoints_exit_3(string command)
    {
        CliRunner.Result With(string checkpoint) => Run(string.Format(System.Globalization.CultureInfo.InvariantCulture, command, checkpoint));

        Refusal.Assert(With("nope.safetensors"), 3, "cannot read checkpoint nope.safetensors: no such file or directory");
        Refusal.Assert(With(f.Inputs), 3, $"cannot read checkpoint {f.Inputs}: it is a directory, not a file");
        // Half the file: the header is intact, a tensor's bytes are not.
        Refusal.AssertStartsWith(With(f.Truncated), 3, $"{f.Truncated}: tensor ");
        Assert.Contains(" but the file ends at byte offset ", With(f.Truncated).StdErr, StringComparison.Ordinal);
        Refusal.AssertStartsWith(With(f.Garbage), 3, $"{f.Garbage}: not a safetensors file: ");
        Refusal.AssertStartsWith(With(f.Mismatched), 3, $"{f.Mismatched}: ");
        AssertNothingWritten();
    }

    [Fact]
    public void Prune_checks_its_test_set_before_writing_anything()
    {
        Refusal.Assert(Run($"prune --checkpoint {f.Checkpoint} --ratio 0.5 --dataset cifar10 --out p"), 2, "--dataset-dir: required for cifar10 (the folder of data_batch_*.bin)");
        Refusal.Assert(Run($"prune --checkpoint {f.Checkpoint} --ratio 0.5 --dataset-dir /nonexistent/fm --out p"), 3,
            "/nonexistent/fm/t10k-labels-idx1-ubyte.gz: cannot open: Could not find a part of the path '/nonexistent/fm/t10k-labels-idx1-ubyte.gz'.");
        AssertNothingWritten();
    }

    [Fact]
    public void Prune_unwritable_output_exits_4_and_leaves_nothing()
    {
        Refusal.Assert(Run($"prune --checkpoint {f.Checkpoint} --ratio 0.5 --dataset none --out {f.AFile}/p"), 4,
            $"--out: cannot write to {f.AFile}/p: {f.AFile} is a file, not a directory");
        Refusal.Assert(Run($"prune --checkpoint {f.Checkpoint} --ratio 0.5 --dataset none --out {f.AFile}"), 4,
            $"--out: cannot write to {f.AFile}: it is a file, not a directory");
        AssertNothingWritten();
    }

    [Fact]
    public void Eval_and_prune_of_a_model_for_other_images_or_with_missing_data_exit_3()
    {
        Refusal.Assert(Run($"eval --checkpoint {f.RgbCheckpoint} --test-limit 8"), 3,
            $"checkpoint {f.RgbCheckpoint} is for 3x32x32 images, fashion-mnist/test has 1x32x32");
        Refusal.Assert(Run($"prune --checkpoint {f.RgbCheckpoint} --ratio 0.5 --test-limit 8 --out p"), 3,
            $"checkpoint {f.RgbCheckpoint} is for 3x32x32 images and 10 classes, fashion-mnist/test has 1x32x32 and 10");
        AssertNothingWritten();
        Refusal.Assert(Run($"eval --checkpoint {f.Checkpoint} --dataset cifar10 --dataset-dir /nonexistent/cifar"), 3,
            "/nonexistent/cifar/test_batch.bin: cannot read: Could not find a part of the path '/nonexistent/cifar/test_batch.bin'.");
    }

    [Fact]
    public void Train_refuses_bad_data_and_unwritable_or_mismatched_checkpoints_before_training()
    {
        Refusal.Assert(Run($"train {Tiny} --dataset-dir /nonexistent/fm --out t.safetensors"), 3,
            "/nonexistent/fm/train-labels-idx1-ubyte.gz: cannot open: Could not find a part of the path '/nonexistent/fm/train-labels-idx1-ubyte.gz'.");
        Refusal.Assert(Run($"train {Tiny} --out {f.AFile}/t.safetensors"), 4, $"--out: cannot write {f.AFile}/t.safetensors: {f.AFile} is a file, not a directory");
        Refusal.Assert(Run($"train {Tiny} --out {_work}"), 4, $"--out: cannot write {_work}: it is a directory");
        Refusal.Assert(Run($"train --in-channels 3 --width 0.03125 --limit 32 --test-limit 16 --out t.safetensors"), 3,
            "dataset fashion-mnist/train (1x32x32, 10 classes) does not fit vgg16-cifar w=0.03125 in=3 size=32 classes=10 [2,2,M,4,4,M,8,8,8,M,16,16,16,M,16,16,16,M]");
        AssertNothingWritten();

        // An existing --out is resumed, so it must be a checkpoint of this very model.
        var copy = Path.Combine(_work, "ck.safetensors");
        File.Copy(f.Checkpoint, copy);
        Refusal.Assert(Run($"train --in-channels 1 --width 0.0625 --limit 32 --test-limit 16 --out {copy}"), 3,
            $"{copy}: checkpoint is for vgg16-cifar w=0.03125 in=1 size=32 classes=10 [2,2,M,4,4,M,8,8,8,M,16,16,16,M,16,16,16,M], not vgg16-cifar w=0.0625 in=1 size=32 classes=10 [4,4,M,8,8,M,16,16,16,M,32,32,32,M,32,32,32,M]");
        File.Copy(f.Truncated, copy, overwrite: true);
        Refusal.AssertStartsWith(Run($"train {Tiny} --out {copy}"), 3, $"{copy}: tensor ");
        Assert.Equal(["ck.safetensors"], BadInputFixture.Listing(_work));
        Assert.Equal(File.ReadAllBytes(f.Truncated), File.ReadAllBytes(copy));
    }

    [Fact]
    public void Study_refuses_missing_data_and_unwritable_output_before_creating_its_folder()
    {
        Refusal.Assert(Run("study --dataset-dir /nonexistent/fm --out s"), 3,
            "/nonexistent/fm/t10k-labels-idx1-ubyte.gz: cannot open: Could not find a part of the path '/nonexistent/fm/t10k-labels-idx1-ubyte.gz'.");
        Refusal.Assert(Run($"study --out {f.AFile}/s"), 4, $"--out: cannot write to {f.AFile}/s: {f.AFile} is a file, not a directory");
        AssertNothingWritten();
    }
}
