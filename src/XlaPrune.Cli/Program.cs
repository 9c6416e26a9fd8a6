using Spectre.Console;
using Spectre.Console.Cli;
using XlaPrune.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("xlaprune");
    config.PropagateExceptions();
    Commands.Register(config);
});

try
{
    return await app.RunAsync(args).ConfigureAwait(false);
}
catch (CliException e)
{
    AnsiConsole.Console.Profile.Out.Writer.Flush();
    await Console.Error.WriteLineAsync($"xlaprune: {e.Message}").ConfigureAwait(false);
    return e.ExitCode;
}
catch (CommandParseException e)
{
    await Console.Error.WriteLineAsync($"xlaprune: {e.Message}").ConfigureAwait(false);
    return ExitCodes.Usage;
}
catch (CommandRuntimeException e)
{
    await Console.Error.WriteLineAsync($"xlaprune: {e.Message}").ConfigureAwait(false);
    return ExitCodes.Usage;
}
