using System.ComponentModel;
using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Pjrt;

namespace XlaPrune.Cli;

/// <summary><c>xlaprune compile FILE.pb</c>: compiles a serialized HloModuleProto and reports the executable.</summary>
internal sealed class CompileCommand : Command<CompileCommand.Settings>
{
    internal sealed class Settings : PluginSettings
    {
        [CommandArgument(0, "<FILE.pb>")]
        [Description("Serialized xla.HloModuleProto.")]
        [InputFile]
        public string File { get; init; } = "";

        [CommandOption("--topology <NAME>")]
        [Description("Compile for this topology without a client (for example cpu:4 on our plugin, v5e:2x2 in libtpu) and report the compiler's layouts (docs/tpu.md).")]
        public string? Topology { get; init; }

        [CommandOption("--topology-option <KEY=VALUE>")]
        [Description(TopologyCompile.OptionDescription)]
        public string[] TopologyOptions { get; init; } = [];

        public override ValidationResult Validate() =>
            TopologyOptions.Length > 0 && Topology is null ? ValidationResult.Error("--topology-option needs --topology") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var module = Output.ReadInput(settings.File, "HLO module");
        var plugin = PluginOption.Load(settings.Plugin);
        if (settings.Topology is not null)
        {
            var compiled = TopologyCompile.Compile(plugin, settings.Topology, TopologyCompile.ParseOptions(settings.TopologyOptions), module, settings.File);
            if (settings.Json)
            {
                Output.PrintJson(TopologyCompile.Json(compiled));
            }
            else
            {
                TopologyCompile.Print(compiled);
            }

            return ExitCodes.Success;
        }

        using var client = plugin.CreateClient();
        var clock = Stopwatch.StartNew();
        PjrtLoadedExecutable executable;
        try
        {
            executable = client.CompileHlo(module);
        }
        catch (PjrtException e)
        {
            throw new CliException(ExitCodes.Failure, $"compiling {settings.File} failed: {PluginOption.CodeName(e.Code)}: {e.Message}", e);
        }

        using (executable)
        {
            var compileMs = clock.Elapsed.TotalMilliseconds;
            var stats = executable.GetCompiledMemoryStats();
            var outputs = executable.OutputElementTypes.Zip(executable.OutputDimensions)
                .Select(o => new { element_type = o.First.ToString().ToLowerInvariant(), dims = o.Second }).ToList();
            var cost = executable.GetCostAnalysis();
            var memory = new
            {
                argument_bytes = stats.ArgumentSizeInBytes,
                output_bytes = stats.OutputSizeInBytes,
                alias_bytes = stats.AliasSizeInBytes,
                temp_bytes = stats.TempSizeInBytes,
                generated_code_bytes = stats.GeneratedCodeSizeInBytes,
                peak_bytes = stats.PeakMemoryInBytes,
            };
            if (settings.Json)
            {
                Output.PrintJson(new
                {
                    file = settings.File,
                    platform_name = client.PlatformName,
                    compile_ms = compileMs,
                    outputs,
                    memory,
                    flops = cost.TryGetValue("flops", out var f) ? f : null,
                    bytes_accessed = cost.TryGetValue("bytes accessed", out var b) ? b : null,
                });
                return ExitCodes.Success;
            }

            AnsiConsole.MarkupLineInterpolated($"compiled {settings.File} on {client.PlatformName} in {compileMs:F1} ms");
            foreach (var (o, i) in outputs.Select((o, i) => (o, i)))
            {
                AnsiConsole.MarkupLineInterpolated($"  output {i}: {$"{o.element_type}[{string.Join(",", o.dims)}]"}");
            }

            AnsiConsole.MarkupLineInterpolated(
                $"  memory: arguments {memory.argument_bytes:N0} B, outputs {memory.output_bytes:N0} B, aliased {memory.alias_bytes:N0} B, temporaries {memory.temp_bytes:N0} B, peak {memory.peak_bytes:N0} B");
            return ExitCodes.Success;
        }
    }
}
