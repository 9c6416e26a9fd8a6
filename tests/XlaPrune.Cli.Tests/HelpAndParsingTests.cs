using System.ComponentModel;

namespace XlaPrune.Cli.Tests;

/// <summary>Help, version, the bare command, and strict parsing, for every command in the command table.</summary>
[Collection(InProcessGroup.Name)]
public sealed class HelpAndParsingTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-help-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>Every registered command, by its words (e.g. "plugin info").</summary>
    public static TheoryData<string> CommandNames() => [.. Commands.All.Select(c => c.Name)];

    private CliRunner.Result Run(params string[] args) => InProcessCli.Run(_work, args);

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Help_renders_every_option_with_its_description(string name)
    {
        var entry = Commands.All.Single(c => c.Name == name);
        var r = Run([.. entry.Path, "--help"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("", r.StdErr);
        Assert.Contains(entry.Description, r.StdOut, StringComparison.Ordinal);
        var options = OptionTable.Of(entry.SettingsType);
        Assert.NotEmpty(options);
        foreach (var option in options)
        {
            var description = option.Property.GetCustomAttributes(typeof(DescriptionAttribute), inherit: true).Cast<DescriptionAttribute>().SingleOrDefault()?.Description;
            Assert.False(string.IsNullOrWhiteSpace(description), $"{name} {option.Name} has no description");
            Assert.Contains(option.Name, r.StdOut, StringComparison.Ordinal);
            // Help text is not wrapped when the output is not a terminal: the whole description is on one line.
            Assert.Contains(r.StdOut.Split('\n'), line => line.Contains(option.Name, StringComparison.Ordinal) && line.Contains(Spectre.Console.Markup.Remove(description!).Split('.')[0], StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void A_misspelled_option_is_an_error_naming_it_and_the_nearest_option(string name)
    {
        var entry = Commands.All.Single(c => c.Name == name);
        var option = OptionTable.Of(entry.SettingsType).First(o => o.Name.Length > 4);
        var misspelled = option.Name + "x"; // one insertion away from a real option, far from no other
        var r = Run([.. entry.Path, misspelled, "1"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"xlaprune: {misspelled}: unknown option of {name} (nearest: {option.Name})\n", r.StdErr);
    }

    [Fact]
    public void Prune_ration_names_ratio()
    {
        var r = Run("prune", "--checkpoint", "ck", "--out", "p", "--ration", "0.5");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("xlaprune: --ration: unknown option of prune (nearest: --ratio)\n", r.StdErr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work));
    }

    [Fact]
    public void Version_prints_the_informational_version()
    {
        var r = Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(CliApp.Version + "\n", r.StdOut);
        Assert.StartsWith("0.1.0", CliApp.Version, StringComparison.Ordinal);
    }

    [Fact]
    public void Bare_xlaprune_lists_every_command_and_exits_0()
    {
        var r = Run();
        Assert.Equal(0, r.ExitCode);
        foreach (var entry in Commands.All)
        {
            Assert.Contains(entry.Path[0], r.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_command_group_alone_lists_its_commands_and_exits_2()
    {
        var r = Run("plugin");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("info", r.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec --width nan", "--width: must be a finite number, got nan")]
    [InlineData("spec --width 1e400", "--width: must be a finite number, got 1e400")]
    [InlineData("spec --width 17", "--width: must be in (0, 16], got 17")]
    [InlineData("spec --classes 2147483648", "--classes: 2147483648 is out of range (an integer in [-2147483648, 2147483647])")]
    [InlineData("spec --classes 1e9", "--classes: '1e9' is not an integer")]
    [InlineData("spec --image-size 8192", "--image-size: must be in [1, 4096], got 8192")]
    [InlineData("train --lr NaN", "--lr: must be a finite number, got NaN")]
    [InlineData("train --slimming-lambda Infinity", "--slimming-lambda: must be a finite number, got Infinity")]
    [InlineData("train --epochs 100001", "--epochs: must be in [1, 100000], got 100001")]
    [InlineData("profile --steps -2147483649", "--steps: -2147483649 is out of range (an integer in [-2147483648, 2147483647])")]
    [InlineData("spec -x", "-x: unknown option of spec (nearest: --json)")]
    [InlineData("spec -- extra", "--: spec takes no arguments after '--', got 'extra'")]
    public void Numbers_are_parsed_strictly_and_range_checked_naming_the_option(string command, string message)
    {
        var r = Run(command.Split(' '));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"xlaprune: {message}\n", r.StdErr);
    }

    [Fact]
    public void Edit_distance_counts_insertions_deletions_and_substitutions()
    {
        Assert.Equal(1, OptionTable.EditDistance("ration", "ratio"));
        Assert.Equal(3, OptionTable.EditDistance("kitten", "sitting"));
        Assert.Equal(0, OptionTable.EditDistance("", ""));
        Assert.Equal(4, OptionTable.EditDistance("", "abcd"));
    }

    [Fact]
    public void An_unknown_plugin_name_from_the_option_or_the_variable_is_named()
    {
        const string reason = "Unknown PJRT plugin name 'nonsense': use a path to a plugin library, one of cpu, tpu, cuda, or a name listed in PJRT_NAMES_AND_LIBRARY_PATHS.";
        var r = Run("plugin", "info", "--plugin", "nonsense");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal($"xlaprune: --plugin: {reason}\n", r.StdErr);

        // The in-process collection runs alone, so the variable is seen by this run only.
        var saved = Environment.GetEnvironmentVariable("XLAPRUNE_PJRT_PLUGIN");
        Environment.SetEnvironmentVariable("XLAPRUNE_PJRT_PLUGIN", "nonsense");
        try
        {
            foreach (var command in new[] { "plugin info", "profile --width 0.03125 --batch 2 --steps 1" })
            {
                var e = Run(command.Split(' '));
                Assert.Equal(3, e.ExitCode);
                Assert.Equal($"xlaprune: XLAPRUNE_PJRT_PLUGIN: {reason}\n", e.StdErr);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("XLAPRUNE_PJRT_PLUGIN", saved);
        }
    }

    [Fact]
    public void Compile_without_json_prints_its_outputs()
    {
        var pb = Path.Combine(_work, "eval.pb");
        Assert.Equal(0, Run("hlo", "--width", "0.03125", "--in-channels", "1", "--program", "eval-step", "--batch", "2", "--out", pb).ExitCode);
        var r = Run("compile", pb);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Matches(@"(?m)^  output 0: [a-z0-9]+\[[0-9,]*\]$", r.StdOut);
    }
}
