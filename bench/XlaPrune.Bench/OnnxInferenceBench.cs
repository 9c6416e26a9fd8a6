using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using XlaPrune.Export;
using XlaPrune.Models;
using XlaPrune.Pruning;

namespace XlaPrune.Bench;

/// <summary>
/// Section 7: what pruning buys at inference. ONNX Runtime latency of the exported VGG-16 (CIFAR
/// shape, full width) pruned by BatchNorm scale at 0.3, 0.5 and 0.7, against the unpruned model,
/// at batch 1 and 32. The models are timed in alternating rounds so that drift in the machine's
/// speed falls on all of them alike.
/// </summary>
internal static class OnnxInferenceBench
{
    private static readonly double[] s_ratios = [0.0, 0.3, 0.5, 0.7];

    public static void Append(StringBuilder report, CultureInfo ic)
    {
        report.Append("## 7. Inference after pruning: ONNX Runtime latency, pruned vs unpruned (VGG-16 CIFAR, width 1, 3x32x32)\n\n");
        report.Append(ic, $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, CPU execution provider, {Environment.ProcessorCount} intra-op threads, graph optimisations on; BatchNorm folded; models pruned by BatchNorm scale (slimming) with the planner's defaults.\n\n");
        report.Append("| pruned ratio (requested) | achieved | params / unpruned | FLOPs / unpruned | batch 1 ms (median) | / unpruned | batch 32 ms (median) | / unpruned |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        var original = Vgg16Spec.Cifar();
        var weights = RandomisedWeights(original);
        var models = s_ratios.Select(r => Prune(original, weights, r)).ToList();
        var latency = new Dictionary<int, double[]>();
        foreach (var batch in new[] { 1, 32 })
        {
            latency[batch] = Measure(models, batch);
            Console.WriteLine($"onnx runtime batch {batch}: {string.Join(", ", latency[batch].Select(ms => ms.ToString("F2", ic)))} ms");
        }

        for (var i = 0; i < models.Count; i++)
        {
            var (spec, _, achieved) = models[i];
            report.Append(ic, $"| {s_ratios[i]} | {achieved:F3} | {(double)spec.ParameterCount / original.ParameterCount:F3} | {(double)spec.MacsPerImage / original.MacsPerImage:F3} ");
            report.Append(ic, $"| {latency[1][i]:F2} | {latency[1][i] / latency[1][0]:F2} | {latency[32][i]:F1} | {latency[32][i] / latency[32][0]:F2} |\n");
        }

        report.Append("\nMeasured in this run; a latency ratio above the FLOP ratio means fixed per-layer costs (memory traffic, dispatch) take a larger share in the narrower network.\n\n");
    }

    private static (Vgg16Spec Spec, ModelWeights Weights, double Achieved) Prune(Vgg16Spec spec, ModelWeights weights, double ratio)
    {
        if (ratio == 0)
        {
            return (spec, weights, 0);
        }

        var plan = Planner.Plan(spec, weights, ChannelImportance.ByName("slimming"), new PlanOptions { Ratio = ratio });
        var (pruned, prunedWeights) = Surgery.Apply(plan, weights, reload: true);
        return (pruned, prunedWeights, plan.AchievedRatio);
    }

    /// <summary>Median ms per run of each model, timed in alternating rounds after a warm-up.</summary>
    private static double[] Measure(List<(Vgg16Spec Spec, ModelWeights Weights, double Achieved)> models, int batch)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount };
        var sessions = models.Select(m => new InferenceSession(OnnxExporter.Export(m.Spec, m.Weights), options)).ToList();
        var random = new Random(0);
        var spec = models[0].Spec;
        var images = Enumerable.Range(0, batch * spec.InputChannels * spec.ImageSize * spec.ImageSize).Select(_ => (float)random.NextDouble()).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(images, [batch, spec.InputChannels, spec.ImageSize, spec.ImageSize]);
        using var runOptions = new RunOptions();
        var times = models.Select(_ => new List<double>()).ToList();
        try
        {
            var rounds = batch == 1 ? 40 : 8;
            for (var round = -2; round < rounds; round++)
            {
                for (var m = 0; m < sessions.Count; m++)
                {
                    var sw = Stopwatch.StartNew();
                    using var outputs = sessions[m].Run(runOptions, [OnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
                    if (round >= 0)
                    {
                        times[m].Add(sw.Elapsed.TotalMilliseconds);
                    }
                }
            }
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }

        return [.. times.Select(t => t.Order().ElementAt(t.Count / 2))];
    }

    /// <summary>Seeded weights with BatchNorm scales spread out, so that the slimming plan is not a tie.</summary>
    private static ModelWeights RandomisedWeights(Vgg16Spec spec)
    {
        var weights = ModelWeights.Initialize(spec, 0);
        var random = new Random(1);
        foreach (var t in spec.Parameters.Where(t => t.Role == TensorRole.BatchNormScale))
        {
            var data = weights[t.Name].Data;
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (float)random.NextDouble();
            }
        }

        return weights;
    }
}
