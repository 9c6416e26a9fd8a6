using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using XlaPrune.Models;
using XlaPrune.Study;
using XlaPrune.Torch;
using static TorchSharp.torch;

namespace XlaPrune.Bench;

/// <summary>
/// The TorchSharp side of the train-step comparison, timed as a TorchSharp user trains: the module
/// and the optimizer are created once, the batch is already a tensor, warm-up steps are excluded,
/// and the update is in place. It runs in a child process of its own, so libtorch starts with the
/// environment a TorchSharp user has (the bench process sets a passive OpenMP wait policy for our
/// plugin, which libtorch's OpenMP would otherwise inherit) and with one intra-op thread per core,
/// as many as the plugin's OpenMP uses.
/// </summary>
internal static class TorchStepBench
{
    private const string Mode = "--torch-step";

    /// <summary>Step times of <paramref name="spec"/> at <paramref name="batch"/>, measured in a child process.</summary>
    /// <remarks>Timed steps stop at <paramref name="steps"/>, or earlier once at least 3 have run and <paramref name="budgetSeconds"/> have passed.</remarks>
    public static StepTimes Measure(Vgg16Spec spec, int batch, int steps, int warmup, double budgetSeconds)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(TorchStepBench).Assembly.Location;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(assembly);
        }

        foreach (var a in new[] { Mode, spec.ToJson(), batch.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture),
            warmup.ToString(CultureInfo.InvariantCulture), budgetSeconds.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {self}");
        var stderr = p.StandardError.ReadToEndAsync();
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"TorchSharp step bench exited {p.ExitCode}: {stderr.Result}");
        }

        var root = JsonDocument.Parse(text).RootElement;
        return new StepTimes(root.GetProperty("median_ms").GetDouble(), root.GetProperty("p10_ms").GetDouble(), root.GetProperty("p90_ms").GetDouble());
    }

    /// <summary>Whether <paramref name="args"/> ask for the child side.</summary>
    public static bool IsChild(string[] args) => args.Length == 6 && args[0] == Mode;

    /// <summary>The child: times the steps and prints one JSON line.</summary>
    public static int RunChild(string[] args)
    {
        var spec = Vgg16Spec.FromJson(args[1]);
        var batch = int.Parse(args[2], CultureInfo.InvariantCulture);
        var steps = int.Parse(args[3], CultureInfo.InvariantCulture);
        var warmup = int.Parse(args[4], CultureInfo.InvariantCulture);
        var budget = TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture));
        TorchRuntime.Initialize(seed: 0);
        using var module = new Vgg16Module(spec);
        module.LoadWeights(ModelWeights.Initialize(spec, 0));
        module.train();
        // SgdMomentum is TorchSharp's SGD (momentum 0.9, no dampening) step for step: per parameter
        // the same in-place mul_, add_ and add_(alpha) kernels, without optim.SGD's implicit Scalars.
        using var sgd = new SgdMomentum(module, new SgdOptions());
        var random = new Random(0);
        using var x = tensor(Enumerable.Range(0, batch * spec.InputChannels * spec.ImageSize * spec.ImageSize).Select(_ => (float)random.NextDouble()).ToArray(),
            [batch, spec.InputChannels, spec.ImageSize, spec.ImageSize]);
        using var y = tensor(Enumerable.Range(0, batch).Select(i => (long)(i % spec.Classes)).ToArray());
        var times = new List<double>();
        var clock = new Stopwatch();
        var timed = new Stopwatch();
        for (var s = 0; s < warmup + steps && !(times.Count >= 3 && timed.Elapsed > budget); s++)
        {
            if (s == warmup)
            {
                timed.Start();
            }

            clock.Restart();
            using (NewDisposeScope())
            {
                sgd.ZeroGrad();
                var loss = nn.functional.cross_entropy(module.forward(x), y);
                loss.backward();
                sgd.Step(0.01);
                _ = loss.item<float>(); // a user reads the loss; it also ends the step
            }

            if (s >= warmup)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var t = StepTimes.From(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"median_ms\": {t.Median}, \"p10_ms\": {t.P10}, \"p90_ms\": {t.P90}}}"));
        return 0;
    }
}
