namespace XlaPrune.Cli;

/// <summary>Process exit codes; documented in docs/cli.md, relied on by scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The work itself failed: a PJRT error, a failed compile, a training failure.</summary>
    public const int Failure = 1;

    /// <summary>Impossible, unknown or missing options (also: a command group named without a command).</summary>
    public const int Usage = 2;

    /// <summary>An input file is missing, unreadable, corrupt or does not match.</summary>
    public const int BadInput = 3;

    /// <summary>An output cannot be written, or must not be (a link, device, FIFO, directory, or a path given twice).</summary>
    public const int BadOutput = 4;

    /// <summary>Every code a command can exit with.</summary>
    public static IReadOnlyList<int> All { get; } = [Success, Failure, Usage, BadInput, BadOutput];
}

/// <summary>
/// A failure the CLI reports as one line with a chosen exit code. <see cref="Subject"/> is the option,
/// variable or file the failure is about, carried as data (the message starts with it).
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    private CliException(int exitCode, string subject, string reason, Exception? inner)
        : base($"{subject}: {reason}", inner) => (ExitCode, Subject) = (exitCode, subject);

    public int ExitCode { get; }

    /// <summary>True for the one documented multi-line message: the plugin loader's list of paths tried.</summary>
    public bool KeepLines { get; init; }

    /// <summary>The option (e.g. <c>--ratio</c>), environment variable or path concerned, if one is.</summary>
    public string? Subject { get; }

    /// <summary>An impossible value of <paramref name="option"/> (exit code 2).</summary>
    public static CliException ForOption(string option, string reason, Exception? inner = null) => new(ExitCodes.Usage, option, reason, inner);

    /// <summary>A failure about <paramref name="subject"/> with its own exit code.</summary>
    public static CliException About(int exitCode, string subject, string reason, Exception? inner = null) => new(exitCode, subject, reason, inner);

    /// <summary>
    /// A library's <see cref="ArgumentException"/> mapped to the option its <see cref="ArgumentException.ParamName"/>
    /// stands for in <paramref name="options"/>; without a mapping, a usage error with the bare message.
    /// </summary>
    public static CliException FromArgument(ArgumentException e, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
        return e.ParamName is not null && options.TryGetValue(e.ParamName, out var option)
            ? ForOption(option, message, e)
            : new CliException(ExitCodes.Usage, message, e);
    }
}
