using Spectre.Console.Cli;

namespace XlaPrune.Cli;

/// <summary>The command table: one line per command.</summary>
internal static class Commands
{
    public static void Register(IConfigurator config)
    {
        config.AddCommand<SpecCommand>("spec").WithDescription("Print a model spec (layers, channels, parameter and FLOP counts).");
        config.AddBranch("plugin", plugin =>
        {
            plugin.SetDescription("PJRT plugins.");
            plugin.AddCommand<PluginInfoCommand>("info").WithDescription("Platform, API version, attributes, devices and memories of a PJRT plugin.");
        });
        config.AddCommand<StudyCommand>("study").WithDescription("Train, prune by each method at each ratio, retrain, profile; write the report with tables and plots.");
        config.AddCommand<TrainCommand>("train").WithDescription("Train a model with the TorchSharp reference trainer; writes a resumable checkpoint.");
        config.AddCommand<PruneCommand>("prune").WithDescription("Plan which channels to keep (slimming or l1) and write the pruned checkpoint and plan.");
        config.AddCommand<EvalCommand>("eval").WithDescription("Test accuracy of a checkpoint.");
        config.AddCommand<LayoutCommand>("layout").WithDescription("Logical and TPU-padded bytes of every tensor of a train step.");
        config.AddCommand<HloCommand>("hlo").WithDescription("Write a model's train-step or eval-step HloModuleProto (and HLO or StableHLO text).");
        config.AddCommand<ProfileCommand>("profile").WithDescription("Compile and time a model's train step on a PJRT plugin.");
        config.AddCommand<ExportCommand>("export").WithDescription("Write a checkpoint, pruned or not, as an ONNX inference graph (eval mode).");
        config.AddCommand<CompileCommand>("compile").WithDescription("Compile a serialized HloModuleProto on a PJRT plugin and print outputs and memory statistics.");
    }
}
