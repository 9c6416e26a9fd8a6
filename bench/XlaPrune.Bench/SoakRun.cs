using System.Globalization;
using XlaPrune.Torch;
using XlaPrune.Torch.Data;

namespace XlaPrune.Bench;

/// <summary>
/// <c>./build.sh soak</c>: trains the tiny shape (width 1/8, 1 input channel, batch 32, the first 512
/// Fashion-MNIST images, so 16 steps per epoch) for 100,000 steps through the trainer <c>xlaprune
/// train</c> uses, printing progress, while a background thread forces garbage collections.
/// </summary>
internal static class SoakRun
{
    public static int Run(string[] args)
    {
        var ic = CultureInfo.InvariantCulture;
        var steps = Option(args, "--soak", 100_000);
        var limit = Option(args, "--limit", 512);
        var batch = Option(args, "--batch", 32);
        var pressure = !args.Contains("--no-gc-pressure");
        var train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit);
        Console.WriteLine($"soak: {steps} steps of {Soak.TinySpec.Describe()}, batch {batch}, {train.Count} images, GC pressure {(pressure ? "on" : "off")}");
        var start = DateTime.UtcNow;
        var result = Soak.Run(train, steps, batch, pressure, (step, loss) =>
        {
            if (step % 500 == 0 || step == steps)
            {
                var seconds = (DateTime.UtcNow - start).TotalSeconds;
                Console.WriteLine(string.Create(ic, $"soak: step {step}/{steps}, loss {loss:F4}, {step / seconds:F1} steps/s, {seconds:F0} s"));
            }
        });
        Console.WriteLine(string.Create(ic,
            $"soak: done, {result.Steps} steps in {result.Elapsed.TotalMinutes:F1} min, first-epoch loss {result.FirstEpochLoss:F4}, last-epoch loss {result.LastEpochLoss:F4}, {result.NonFiniteLosses} non-finite losses, {result.ForcedCollections} forced collections"));
        return result.Steps == steps && result.NonFiniteLosses == 0 ? 0 : 1;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
