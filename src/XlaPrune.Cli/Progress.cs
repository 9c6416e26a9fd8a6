using Spectre.Console;
using XlaPrune.Torch;

namespace XlaPrune.Cli;

/// <summary>Spectre progress bars for long work; silent when the output is JSON or not a terminal.</summary>
internal static class Progress
{
    public static T Run<T>(bool quiet, string title, Func<IProgress<TrainProgress>?, CancellationToken, T> work, CancellationToken ct)
    {
        if (quiet || Console.IsErrorRedirected)
        {
            return work(null, ct);
        }

        T result = default!;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title));
                result = work(new Reporter(task), ct);
                task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class Reporter(ProgressTask task) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value)
        {
            task.MaxValue = Math.Max(1, value.StepsPerEpoch) * (double)Math.Max(1, value.Epoch + 1);
            task.Value = (value.Epoch * (double)value.StepsPerEpoch) + value.Step;
            task.Description = Markup.Escape($"epoch {value.Epoch + 1} step {value.Step}/{value.StepsPerEpoch} loss {value.Loss:F4}");
        }
    }
}
