using CsCheck;

namespace XlaPrune.Cli.Tests;

/// <summary>Inputs made once for the any-input tests: a tiny dataset, a tiny trained checkpoint, an HLO module.</summary>
public sealed class AnyInputFixture : IDisposable
{
    public AnyInputFixture()
    {
        Root = Directory.CreateTempSubdirectory("xlaprune-any-input-").FullName;
        Data = TinyDataset.Create(Path.Combine(Root, "data"));
        // The same with a truncated test split: train and study check every option, their outputs and
        // the training split, then stop at the test split, so a fuzzed value never starts a training run.
        BadData = TinyDataset.Create(Path.Combine(Root, "bad-data"));
        var test = Path.Combine(BadData, "t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(test, File.ReadAllBytes(test)[..40]);
        var train = InProcessCli.Run(Root, "train", "--width", "0.03125", "--limit", "16", "--test-limit", "8", "--batch", "8", "--dataset-dir", Data, "--out", Checkpoint);
        Assert.True(train.ExitCode == 0, train.StdErr);
        var hlo = InProcessCli.Run(Root, "hlo", "--width", "0.03125", "--in-channels", "1", "--program", "eval-step", "--batch", "2", "--out", Module);
        Assert.True(hlo.ExitCode == 0, hlo.StdErr);
    }

    public string Root { get; }

    public string Data { get; }

    public string BadData { get; }

    public string Checkpoint => Path.Combine(Root, "ck.safetensors");

    public string Module => Path.Combine(Root, "eval.pb");

    /// <summary>
    /// Small valid arguments per command, so that a fuzzed value that happens to be valid finishes in
    /// moments. A command missing here is fuzzed from no arguments at all.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Base => new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["spec"] = ["--width", "0.03125"],
        ["train"] = ["--width", "0.03125", "--limit", "16", "--test-limit", "8", "--batch", "8", "--dataset-dir", BadData, "--out", "t.safetensors"],
        ["prune"] = ["--checkpoint", Checkpoint, "--ratio", "0.5", "--dataset-dir", Data, "--test-limit", "8", "--out", "p"],
        ["eval"] = ["--checkpoint", Checkpoint, "--dataset-dir", Data, "--test-limit", "8"],
        ["hlo"] = ["--width", "0.03125", "--in-channels", "1", "--program", "eval-step", "--batch", "2", "--out", "x.pb"],
        ["layout"] = ["--width", "0.03125", "--batch", "2"],
        ["profile"] = ["--width", "0.03125", "--in-channels", "1", "--batch", "2", "--steps", "1", "--warmup", "0"],
        ["compile"] = [Module],
        ["export"] = ["--checkpoint", Checkpoint, "--out", "m.onnx"],
        ["study"] = ["--dataset-dir", BadData, "--train-limit", "16", "--test-limit", "8", "--baseline-epochs", "1", "--retrain-epochs", "0", "--ratios", "0.5", "--methods", "l1-reload", "--no-profile", "--out", "s"],
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// Extreme and random values for every option of every command (read from the command table, so new
/// options are covered): no stack trace, no unexpected exception, and an exit code from docs/cli.md.
/// </summary>
[Collection(InProcessGroup.Name)]
public sealed class AnyInputTests(AnyInputFixture f) : IClassFixture<AnyInputFixture>
{
    /// <summary>The values issue #13 lists, and a few more of the same kind.</summary>
    private static readonly string[] s_extremes =
    [
        "0", "-1", "NaN", "-Infinity", "1e9", "1e400", "2147483648", "-2147483649", "9223372036854775808", "0.5", "",
        "-", "--", "=", "x", new string('a', 5000), "1,5", "0x10", "./", "\u00e9\u4e2d\u0301",
    ];

    public static TheoryData<string> CommandNames() => [.. Commands.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Every_option_survives_every_extreme_value(string name)
    {
        var entry = Commands.All.Single(c => c.Name == name);
        foreach (var option in OptionTable.Of(entry.SettingsType))
        {
            foreach (var value in option.TakesValue ? s_extremes : [""])
            {
                Check(WithOption(entry, option, value));
            }
        }
    }

    [Fact]
    public void Random_values_and_option_names_never_crash_a_command()
    {
        var commands = Commands.All.ToArray();
        var values = Gen.OneOf(
            Gen.OneOf(s_extremes),
            Gen.String[0, 40].Select(t => t.Replace('\0', '_').Replace('/', '_').Replace("..", "_", StringComparison.Ordinal)), // never an absolute path
            Gen.OneOf(Gen.Long[long.MinValue, 0], Gen.Long[10_000_001, long.MaxValue]).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var cases = Gen.Select(Gen.Int[0, commands.Length - 1], Gen.Int[0, 63], values, Gen.Bool, (c, o, v, misspell) => (Command: commands[c], Option: o, Value: v, Misspell: misspell));
        cases.Sample(t =>
        {
            var options = OptionTable.Of(t.Command.SettingsType);
            var option = options[t.Option % options.Count];
            var args = WithOption(t.Command, option, t.Value);
            if (t.Misspell)
            {
                args = [.. args.Select(a => a == option.Name ? a[..^1] : a)];
            }

            Check(args);
        }, iter: 150, threads: 1, seed: "0N0XIzNsQ0O2");
    }

    // The command's base arguments, with option set to value (replacing a base value of the same option).
    private string[] WithOption(CommandEntry entry, OptionInfo option, string value)
    {
        var baseArgs = f.Base.TryGetValue(entry.Name, out var b) ? b : [];
        var args = new List<string>(entry.Path);
        for (var i = 0; i < baseArgs.Length; i++)
        {
            if (baseArgs[i] == option.Name)
            {
                i += option.TakesValue ? 1 : 0;
                continue;
            }

            args.Add(baseArgs[i]);
        }

        args.Add(option.Name);
        if (option.TakesValue)
        {
            args.Add(value);
        }

        return [.. args];
    }

    private static void Check(string[] args)
    {
        var work = Directory.CreateTempSubdirectory("xlaprune-any-").FullName;
        try
        {
            var r = InProcessCli.Run(work, args);
            var shown = string.Join(' ', args.Select(a => a.Length > 40 ? a[..40] + "..." : a));
            Assert.True(ExitCodes.All.Contains(r.ExitCode), $"{shown}: exit {r.ExitCode}; {r.StdErr}");
            Assert.False(r.StdErr.Contains(CliApp.UnexpectedPrefix, StringComparison.Ordinal), $"{shown}: {r.StdErr}");
            Assert.False(System.Text.RegularExpressions.Regex.IsMatch(r.StdErr, @"(?m)^\s+at \S"), $"{shown}: {r.StdErr}");
            if (r.ExitCode != 0)
            {
                Assert.StartsWith("xlaprune: ", r.StdErr, StringComparison.Ordinal);
                // One line, except the plugin loader's documented list of paths tried.
                Assert.True(r.StdErr.TrimEnd('\n').Split('\n').Length == 1 || r.StdErr.Contains("Could not load PJRT plugin", StringComparison.Ordinal), $"{shown}: {r.StdErr}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
