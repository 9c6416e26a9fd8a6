namespace XlaPrune.Cli.Tests;

/// <summary>Bad input to the commands that need no training: spec, plugin info, compile, hlo, layout, profile.</summary>
public sealed class BadInputModelCommandsTests(BadInputFixture f) : IClassFixture<BadInputFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-bad-out-").FullName;

    public void Dispose()
    {
        // Whatever failed, the inputs are untouched.
        Assert.Equal(f.Before, BadInputFixture.Listing(f.Inputs));
        Directory.Delete(_work, recursive: true);
    }

    private CliRunner.Result Run(string command) => CliRunner.RunIn(_work, command.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private void AssertNothingWritten() => Assert.Empty(BadInputFixture.Listing(_work));

    [Theory]
    [InlineData("spec --width 0", "--width: must be in (0, 16], got 0")]
    [InlineData("spec --width -1", "--width: must be in (0, 16], got -1")]
    [InlineData("spec --image-size 33", "--image-size: image_size must be a positive multiple of 32 (five 2x2 max-pools), got 33")]
    [InlineData("spec --classes 0", "--classes: must be in [1, 1000000], got 0")]
    [InlineData("spec --in-channels 0", "--in-channels: must be in [1, 4096], got 0")]
    [InlineData("spec --variant vgg19", "--variant: unknown variant 'vgg19' (known: cifar, imagenet)")]
    [InlineData("spec --width abc", "--width: 'abc' is not a number")]
    [InlineData("layout --ratio 1 --method uniform", "--ratio must be in [0, 1), got 1")]
    [InlineData("layout --ratio -0.5 --method uniform", "--ratio must be in [0, 1), got -0.5")]
    [InlineData("layout --ratio 0.5 --method l1", "--method: unknown method 'l1' (known: uniform)")]
    [InlineData("layout --ratio 0.5", "--ratio and --method go together")]
    [InlineData("layout --dtype f64", "--dtype: unknown element type 'f64' (known: f32, bf16)")]
    [InlineData("layout --batch 0", "--batch must be at least 1")]
    [InlineData("layout --devices 0", "--devices must be at least 1")]
    [InlineData("layout --batch 10 --devices 4", "--batch (10) must be a multiple of --devices (4)")]
    [InlineData("layout --batch 4 --devices 4", "--batch: per-device batch 1: train step batch must be at least 2 (unbiased BatchNorm variance), got 1")]
    [InlineData("layout --data-format nchwc", "--data-format: unknown data format 'nchwc' (known: nhwc, nchw)")]
    [InlineData("layout --tensor f32[2]", "--tensor and --role go together")]
    [InlineData("layout --tensor f32[2] --role tensor", "--role: unknown role 'tensor' (known: conv-activation, conv-kernel, matrix, vector)")]
    [InlineData("layout --tensor f32[2] --role vector --ratio 0.5 --method uniform", "--tensor excludes --plan, --ratio, --method and --plugin")]
    [InlineData("hlo --out x.pb --data-format hwcn", "--data-format: unknown data format 'hwcn' (known: nhwc, nchw)")]
    [InlineData("profile --steps 0", "--steps must be at least 1, got 0")]
    [InlineData("profile --warmup -1", "--warmup must be at least 0, got -1")]
    [InlineData("profile --batch 1", "--batch must be at least 2 (BatchNorm's unbiased variance), got 1")]
    [InlineData("hlo --out x.pb --batch 0", "--batch must be at least 1, got 0")]
    [InlineData("hlo --out x.pb --batch 1", "--batch: train step batch must be at least 2 (unbiased BatchNorm variance), got 1")]
    [InlineData("hlo --out x.pb --program backward", "--program: unknown program 'backward' (known: train-step, eval-step)")]
    [InlineData("hlo", "--out: the .pb file to write is required")]
    public void Impossible_options_exit_2_naming_the_option(string command, string message)
    {
        Refusal.Assert(Run(command), 2, message);
        AssertNothingWritten();
    }

    [Fact]
    public void Plugin_that_is_not_a_shared_library_exits_3_with_the_reason()
    {
        // The plugin loader's message lists every path tried, one per line (docs/cli.md).
        var r = Run($"plugin info --plugin {f.Garbage}");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal($"xlaprune: Could not load PJRT plugin '{f.Garbage}'. Tried:\n  {f.Garbage}: the system loader refused it (invalid ELF header)\n", r.StdErr);
    }

    [Fact]
    public void Compile_of_a_directory_exits_3_saying_so()
    {
        Refusal.Assert(Run($"compile {f.Inputs}"), 3, $"cannot read HLO module {f.Inputs}: it is a directory, not a file");
    }

    [Fact]
    public void Compile_of_a_truncated_checkpoint_instead_of_a_module_is_rejected_by_the_plugin()
    {
        Refusal.AssertStartsWith(Run($"compile {f.Truncated}"), 1, $"compiling {f.Truncated} failed: INVALID_ARGUMENT: ");
    }

    [Fact]
    public void Hlo_plan_missing_corrupt_or_for_another_model_exits_3_and_writes_nothing()
    {
        Refusal.Assert(Run($"hlo {BadInputFixture.ModelOptions} --out x.pb --plan nope.json"), 3, "cannot read pruning plan nope.json: no such file or directory");
        Refusal.AssertStartsWith(Run($"hlo {BadInputFixture.ModelOptions} --out x.pb --plan {f.BadJson}"), 3, $"{f.BadJson}: not a pruning plan: ");
        Refusal.AssertStartsWith(Run($"hlo {BadInputFixture.ModelOptions} --out x.pb --plan {f.Checkpoint}"), 3, $"{f.Checkpoint}: not a pruning plan: ");
        Refusal.Assert(Run($"hlo --out x.pb --plan {f.Plan}"), 3,
            $"{f.Plan}: the plan is for vgg16-cifar w=0.03125 in=1 size=32 classes=10 [2,2,M,4,4,M,8,8,8,M,16,16,16,M,16,16,16,M], not vgg16-cifar w=1 in=3 size=32 classes=10 [64,64,M,128,128,M,256,256,256,M,512,512,512,M,512,512,512,M] (pass the plan's model options)");
        AssertNothingWritten();
    }

    [Fact]
    public void Hlo_with_its_plan_and_matching_options_writes_the_pruned_program()
    {
        var r = Run($"hlo {BadInputFixture.ModelOptions} --program eval-step --batch 4 --out x.pb --plan {f.Plan}");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(["x.pb"], BadInputFixture.Listing(_work));
    }

    [Fact]
    public void Hlo_unwritable_outputs_exit_4_and_leave_no_output_nor_temporary_file()
    {
        Refusal.Assert(Run($"hlo {BadInputFixture.ModelOptions} --out {f.AFile}/x.pb"), 4, $"--out: cannot write {f.AFile}/x.pb: {f.AFile} is a file, not a directory");
        Refusal.Assert(Run($"hlo {BadInputFixture.ModelOptions} --out {_work}"), 4, $"--out: cannot write {_work}: it is a directory");
        // The third of three outputs cannot be written: the first two must not appear either.
        Refusal.Assert(Run($"hlo {BadInputFixture.ModelOptions} --program eval-step --batch 2 --out x.pb --text x.hlo --mlir {f.AFile}/x.mlir"), 4,
            $"--mlir: cannot write {f.AFile}/x.mlir: {f.AFile} is a file, not a directory");
        AssertNothingWritten();
    }

    [Fact]
    public void Layout_plan_missing_or_corrupt_exits_3()
    {
        Refusal.Assert(Run("layout --plan nope.json"), 3, "cannot read pruning plan nope.json: no such file or directory");
        Refusal.AssertStartsWith(Run($"layout --plan {f.BadJson}"), 3, $"{f.BadJson}: not a pruning plan: ");
        Refusal.Assert(Run($"layout --plan {f.Inputs}"), 3, $"cannot read pruning plan {f.Inputs}: it is a directory, not a file");
        AssertNothingWritten();
    }

    [Fact]
    public void Profile_plan_for_another_model_or_missing_plugin_exits_3()
    {
        Refusal.Assert(Run($"profile {BadInputFixture.ModelOptions} --plan {f.OtherPlan}"), 3,
            $"{f.OtherPlan}: the plan is for vgg16-cifar w=0.03125 in=3 size=32 classes=10 [2,2,M,4,4,M,8,8,8,M,16,16,16,M,16,16,16,M], not vgg16-cifar w=0.03125 in=1 size=32 classes=10 [2,2,M,4,4,M,8,8,8,M,16,16,16,M,16,16,16,M] (pass the plan's model options)");
        var r = Run($"profile {BadInputFixture.ModelOptions} --plugin /nonexistent/libpjrt.so");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("xlaprune: Could not load PJRT plugin '/nonexistent/libpjrt.so'. Tried:\n  /nonexistent/libpjrt.so: file does not exist\n", r.StdErr);
        AssertNothingWritten();
    }
}
