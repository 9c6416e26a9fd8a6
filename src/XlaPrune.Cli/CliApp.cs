using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Pjrt;

namespace XlaPrune.Cli;

/// <summary>
/// The xlaprune application: strict argument checks, the command table, the settings guard, and
/// one funnel that turns every failure into one line on stderr and a documented exit code.
/// </summary>
internal static class CliApp
{
    /// <summary>Width used when standard output is not a terminal: wide enough that nothing is wrapped.</summary>
    public const int UnwrappedWidth = 1 << 16;

    /// <summary>The informational version (<c>0.1.0+commit</c>), printed by <c>--version</c>.</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var console = CreateConsole();
        AnsiConsole.Console = console;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("xlaprune");
            config.TrimTrailingPeriods(false);
            config.SetApplicationVersion(Markup.Escape(Version));
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            config.SetInterceptor(new SettingsGuard());
            Commands.Register(config);
        });

        try
        {
            StrictArguments.Check(args);
            var code = await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
            // A command group named alone (`xlaprune plugin`) shows its commands; that is a usage error.
            return code == 1 && args.Length > 0 && Commands.Branches.ContainsKey(args[0]) && Commands.Find(args).Entry is null ? ExitCodes.Usage : code;
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            console.Profile.Out.Writer.Flush();
            await Console.Error.WriteLineAsync($"xlaprune: {message}").ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>Exit code and one-line message for any failure; the last arm is a backstop that tests assert is never reached.</summary>
    public static (int Code, string Message) Describe(Exception e) => e switch
    {
        CliException c => (c.ExitCode, c.KeepLines ? c.Message : Visible(c.Message)),
        CommandParseException p => (ExitCodes.Usage, OneLine(p.Message)),
        CommandRuntimeException r => (ExitCodes.Usage, OneLine(r.Message)),
        PjrtException p => (ExitCodes.Failure, $"PJRT: {PluginOption.CodeName(p.Code)}: {OneLine(p.Message)}"),
        OperationCanceledException => (ExitCodes.Failure, "cancelled"),
        _ => (ExitCodes.Failure, $"{UnexpectedPrefix}{e.GetType().Name}: {OneLine(e.Message)}"),
    };

    /// <summary>How an unexpected exception's line starts; the property tests fail on it.</summary>
    public const string UnexpectedPrefix = "unexpected error: ";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    // Control characters (a path or value with a newline) shown as escapes, so the message stays one line.
    private static string Visible(string message) =>
        message.Any(char.IsControl)
            ? string.Concat(message.Select(c => c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => $"\\u{(int)c:x4}", _ => c.ToString() }))
            : message;

    // Standard output as Spectre sees it: when it is not a terminal, nothing is wrapped (COLUMNS, if
    // set to a number, still wins), so `xlaprune ... > file` keeps each line whole.
    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns is >= 20 and <= UnwrappedWidth
                ? columns
                : UnwrappedWidth;
        }

        return console;
    }
}
