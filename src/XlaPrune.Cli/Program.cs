using XlaPrune.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
