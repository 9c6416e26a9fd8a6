using Spectre.Console.Cli;

namespace XlaPrune.Cli;

/// <summary>One command: its words (<c>plugin info</c>), its type and settings type, its description.</summary>
internal sealed record CommandEntry(IReadOnlyList<string> Path, Type CommandType, string Description, Func<IConfigurator?, IConfigurator<CommandSettings>?, ICommandConfigurator> Add)
{
    /// <summary>The command's settings class (the generic argument of its <c>Command&lt;TSettings&gt;</c>).</summary>
    public Type SettingsType
    {
        get
        {
            for (var t = CommandType; t is not null; t = t.BaseType)
            {
                if (t.IsGenericType && t.GetGenericArguments() is [var settings] && typeof(CommandSettings).IsAssignableFrom(settings))
                {
                    return settings;
                }
            }

            throw new InvalidOperationException($"{CommandType} is not a Command<TSettings>");
        }
    }

    public string Name => string.Join(' ', Path);
}

/// <summary>The command table: one line per command. Tests enumerate it, so every command is covered.</summary>
internal static class Commands
{
    /// <summary>Command groups (first word) and their descriptions.</summary>
    public static IReadOnlyDictionary<string, string> Branches { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["plugin"] = "PJRT plugins.",
    };

    public static IReadOnlyList<CommandEntry> All { get; } =
    [
        Entry<SpecCommand>("spec", "Print a model spec (layers, channels, parameter and FLOP counts)."),
        Entry<PluginInfoCommand>("plugin info", "Platform, API version, attributes, devices and memories of a PJRT plugin."),
        Entry<StudyCommand>("study", "Train, prune by each method at each ratio, retrain, profile; write the report with tables and plots."),
        Entry<TrainCommand>("train", "Train a model with the TorchSharp reference trainer; writes a resumable checkpoint."),
        Entry<PruneCommand>("prune", "Plan which channels to keep (slimming or l1) and write the pruned checkpoint and plan."),
        Entry<EvalCommand>("eval", "Test accuracy of a checkpoint."),
        Entry<LayoutCommand>("layout", "Logical and TPU-padded bytes of every tensor of a train step."),
        Entry<HloCommand>("hlo", "Write a model's train-step or eval-step HloModuleProto (and HLO or StableHLO text)."),
        Entry<ProfileCommand>("profile", "Compile and time a model's train step on a PJRT plugin."),
        Entry<ExportCommand>("export", "Write a checkpoint, pruned or not, as an ONNX inference graph (eval mode)."),
        Entry<CompileCommand>("compile", "Compile a serialized HloModuleProto on a PJRT plugin and print outputs and memory statistics."),
    ];

    private static CommandEntry Entry<TCommand>(string path, string description)
        where TCommand : class, ICommandLimiter<CommandSettings>
    {
        var words = path.Split(' ');
        return new(words, typeof(TCommand), description,
            (top, branch) => top is not null ? top.AddCommand<TCommand>(words[^1]) : branch!.AddCommand<TCommand>(words[^1]));
    }

    public static void Register(IConfigurator config)
    {
        foreach (var entry in All.Where(e => e.Path.Count == 1))
        {
            entry.Add(config, null).WithDescription(entry.Description);
        }

        foreach (var (branch, description) in Branches)
        {
            config.AddBranch(branch, b =>
            {
                b.SetDescription(description);
                foreach (var entry in All.Where(e => e.Path.Count == 2 && e.Path[0] == branch))
                {
                    entry.Add(null, b).WithDescription(entry.Description);
                }
            });
        }
    }

    /// <summary>The command the leading words of <paramref name="args"/> name, and how many words that took.</summary>
    public static (CommandEntry? Entry, int Words) Find(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var best = All.Where(e => e.Path.Count <= args.Count && e.Path.Select((w, i) => w == args[i]).All(x => x))
            .MaxBy(e => e.Path.Count);
        return (best, best?.Path.Count ?? 0);
    }
}
