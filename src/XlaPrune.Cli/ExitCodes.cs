namespace XlaPrune.Cli;

/// <summary>Process exit codes; documented in docs/cli.md, relied on by scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The work itself failed: a PJRT error, a failed compile, a training failure.</summary>
    public const int Failure = 1;

    /// <summary>Impossible or missing options.</summary>
    public const int Usage = 2;

    /// <summary>An input file is missing, unreadable, corrupt or does not match.</summary>
    public const int BadInput = 3;

    /// <summary>An output cannot be written.</summary>
    public const int BadOutput = 4;
}

/// <summary>A failure the CLI reports as one line with a chosen exit code.</summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
