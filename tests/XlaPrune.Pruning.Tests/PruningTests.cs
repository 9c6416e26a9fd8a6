using XlaPrune.Models;

namespace XlaPrune.Pruning.Tests;

public class PruningTests
{
    // Small models: CIFAR with channels 4..32, and ImageNet at 64x64 so the last feature map is
    // 2x2 and each pruned channel removes a block of 4 inputs of fc1.
    private static readonly Vgg16Spec s_cifar = Vgg16Spec.Cifar(inputChannels: 2, classes: 5, width: 1.0 / 16);
    private static readonly Vgg16Spec s_imageNet = Vgg16Spec.ImageNet(inputChannels: 1, classes: 3, width: 1.0 / 16, imageSize: 64, classifierHidden: 6);

    private static ModelWeights TrainedLike(Vgg16Spec spec, int seed)
    {
        // Fresh init, then BatchNorm values that are far from identity, as after training.
        var w = ModelWeights.Initialize(spec, seed);
        var random = new Random(seed + 1);
        foreach (var bn in spec.Convs.Select(c => c.BatchNormName))
        {
            foreach (var (suffix, lo, hi) in new[] { ("weight", -1.0, 1.0), ("bias", -0.2, 0.3), ("running_mean", -0.5, 0.5), ("running_var", 0.5, 2.0) })
            {
                var data = w[$"{bn}.{suffix}"].Data;
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] = (float)(lo + ((hi - lo) * random.NextDouble()));
                }
            }
        }

        return w;
    }

    private static float[] Image(Vgg16Spec spec, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, spec.InputChannels * spec.ImageSize * spec.ImageSize).Select(_ => (float)random.NextDouble())];
    }

    public static TheoryData<string, bool> Methods => new() { { "slimming", false }, { "l1", false }, { "slimming", true }, { "l1", true } };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Pruned_and_reloaded_logits_equal_original_with_pruned_bn_zeroed(string method, bool imageNet)
    {
        var spec = imageNet ? s_imageNet : s_cifar;
        var original = TrainedLike(spec, seed: 3);
        var plan = Planner.Plan(spec, original, ChannelImportance.ByName(method), new PlanOptions { Ratio = 0.4 });

        var (pruned, weights) = Surgery.Apply(plan, original, reload: true);
        var zeroed = Surgery.ZeroPrunedBatchNorm(plan, original);

        Assert.True(pruned.ConvChannels.Sum() < spec.ConvChannels.Sum());
        weights.Validate(pruned);
        for (var seed = 0; seed < 2; seed++)
        {
            var image = Image(spec, seed);
            var expected = ReferenceForward.Logits(spec, zeroed, image);
            var actual = ReferenceForward.Logits(pruned, weights, image);
            Assert.Equal(expected, actual); // exact: the removed channels contributed exact zeros
            Assert.NotEqual(expected, ReferenceForward.Logits(spec, original, image));
        }
    }

    [Fact]
    public void Slicing_takes_the_kept_rows_columns_and_flatten_blocks()
    {
        var spec = s_imageNet;
        var original = TrainedLike(spec, seed: 5);
        var plan = Planner.Plan(spec, original, new FilterL1Importance(), new PlanOptions { Ratio = 0.5 });
        var (pruned, w) = Surgery.Apply(plan, original, reload: true);

        var kept13 = plan.Layers[12].Kept;
        var kept12 = plan.Layers[11].Kept;
        // conv13.weight[o', i', 2, 1] == original[kept13[o'], kept12[i'], 2, 1]
        var src = original["conv13.weight"];
        var dst = w["conv13.weight"];
        Assert.Equal([kept13.Count, kept12.Count, 3, 3], dst.Shape);
        Assert.Equal(src.Data[(((kept13[1] * src.Shape[1]) + kept12[2]) * 9) + 7], dst.Data[(((1 * dst.Shape[1]) + 2) * 9) + 7]);
        // fc1 input j' = c'*4 + p reads original column kept13[c']*4 + p (2x2 final map).
        var fc = original["fc1.weight"];
        var fcPruned = w["fc1.weight"];
        Assert.Equal([6, kept13.Count * 4], fcPruned.Shape);
        Assert.Equal(fc.Data[(5 * fc.Shape[1]) + (kept13[1] * 4) + 3], fcPruned.Data[(5 * fcPruned.Shape[1]) + (1 * 4) + 3]);
        Assert.Equal(original["bn13.running_var"].Data[kept13[0]], w["bn13.running_var"].Data[0]);
        Assert.Equal(original["fc3.weight"].Data, w["fc3.weight"].Data);
        Assert.Equal(pruned.FlattenFeatures, kept13.Count * 4);
    }

    [Fact]
    public void Importance_values_are_abs_gamma_and_filter_l1()
    {
        var spec = s_cifar;
        var w = ModelWeights.Initialize(spec, 1);
        w["bn1.weight"].Data[2] = -0.75f;
        var conv1 = w["conv1.weight"].Data; // [4, 2, 3, 3]: filter 3 is elements 54..71
        Array.Fill(conv1, 0f, 54, 18);
        conv1[54] = -1f;
        conv1[71] = 2.5f;

        Assert.Equal(0.75f, new BatchNormScaleImportance().Score(spec, w)[0][2]);
        Assert.Equal(3.5f, new FilterL1Importance().Score(spec, w)[0][3]);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    public void Global_ratio_is_met_within_one_channel_per_layer(double ratio)
    {
        var spec = Vgg16Spec.Cifar(width: 0.25);
        var w = TrainedLike(spec, seed: 11);
        var plan = Planner.Plan(spec, w, new BatchNormScaleImportance(), new PlanOptions { Ratio = ratio, FloorFraction = 0 });

        var total = spec.ConvChannels.Sum();
        var removed = total - plan.Layers.Sum(l => l.Kept.Count);
        Assert.InRange(removed, (ratio * total) - spec.Convs.Count, (ratio * total) + spec.Convs.Count);
        Assert.Equal(ratio, plan.Ratio);
    }

    [Fact]
    public void Floors_hold_and_no_layer_is_emptied()
    {
        var spec = Vgg16Spec.Cifar(width: 0.25);
        var w = TrainedLike(spec, seed: 12);
        // Make conv1's channels the least important by far: a global threshold would remove all of them.
        Array.Fill(w["bn1.weight"].Data, 1e-6f);

        var plan = Planner.Plan(spec, w, new BatchNormScaleImportance(), new PlanOptions { Ratio = 0.9, FloorFraction = 0.25 });

        foreach (var (layer, conv) in plan.Layers.Zip(spec.Convs))
        {
            Assert.True(layer.Kept.Count >= (int)Math.Ceiling(0.25 * conv.OutChannels), $"{layer.Name} keeps {layer.Kept.Count}");
        }

        Assert.Equal(4, plan.Layers[0].Kept.Count); // 16 channels, floor 25%
    }

    [Theory]
    [InlineData(RoundingMode.Down, new[] { 8, 8, 16, 16, 32, 32, 32, 64, 64, 64, 64, 64, 64 }, 0.5, 8)]
    [InlineData(RoundingMode.Nearest, new[] { 16, 16, 16, 16, 48, 48, 48, 96, 96, 96, 96, 96, 96 }, 0.3, 16)]
    public void Per_layer_ratios_with_rounding(RoundingMode mode, int[] expected, double ratio, int roundTo)
    {
        var spec = Vgg16Spec.Cifar(width: 0.25); // 16,16,32,32,64,64,64,128 x6
        var w = TrainedLike(spec, seed: 13);
        var plan = Planner.Plan(spec, w, new FilterL1Importance(),
            new PlanOptions { LayerRatios = [.. Enumerable.Repeat(ratio, 13)], RoundTo = roundTo, Rounding = mode });

        // Down, half of 16,32,64,128 are multiples of 8 already. Nearest 16 of 70%:
        // 16->11 rounds to 16, 32->22 to 16, 64->45 to 48, 128->90 to 96.
        Assert.Equal(expected, plan.Layers.Select(l => l.Kept.Count));
    }

    [Fact]
    public void Per_layer_scope_prunes_the_ratio_from_every_layer_keeping_each_layers_largest_filters()
    {
        var spec = Vgg16Spec.Cifar(width: 0.25); // 16,16,32,32,64,64,64,128 x6
        var w = TrainedLike(spec, seed: 17);
        var importance = new FilterL1Importance();

        var plan = Planner.Plan(spec, w, importance, new PlanOptions { Ratio = 0.3, Scope = PlanScope.PerLayer });
        var scores = importance.Score(spec, w);

        // 16 − round(4.8) = 11, 32 − round(9.6) = 22, 64 − round(19.2) = 45, 128 − round(38.4) = 90.
        Assert.Equal([11, 11, 22, 22, 45, 45, 45, 90, 90, 90, 90, 90, 90], plan.Layers.Select(l => l.Kept.Count));
        for (var l = 0; l < plan.Layers.Count; l++)
        {
            var weakestKept = plan.Layers[l].Kept.Min(c => scores[l][c]);
            var strongestDropped = Enumerable.Range(0, scores[l].Length).Except(plan.Layers[l].Kept).Max(c => scores[l][c]);
            Assert.True(weakestKept >= strongestDropped, $"conv{l + 1}");
        }

        Assert.Equal(0.3, plan.Ratio);
        Assert.Equal(plan.Layers.Select(l => l.Kept), Planner.Plan(spec, w, importance, new PlanOptions { LayerRatios = [.. Enumerable.Repeat(0.3, 13)] }).Layers.Select(l => l.Kept));
    }

    [Fact]
    public void Li_et_al_pruned_a_plan_gives_the_published_counts()
    {
        var spec = Vgg16Spec.Cifar();
        var w = ModelWeights.Initialize(spec, 2);
        double[] ratios = [0.5, 0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];

        var plan = Planner.Plan(spec, w, new FilterL1Importance(), new PlanOptions { LayerRatios = ratios });

        Assert.Equal([32, 64, 128, 128, 256, 256, 256, 256, 256, 256, 256, 256, 256], plan.PrunedModel.ConvChannels);
        Assert.Equal(206_146_048L, plan.PrunedModel.MacsPerImage); // paper: 2.06e8
        Assert.Equal(5_261_866L, plan.PrunedModel.ParameterCount); // conv + BN + Linear(256, 10)
    }

    [Fact]
    public void Plan_json_round_trips_and_reapplies_to_identical_weights()
    {
        var w = TrainedLike(s_imageNet, seed: 21);
        var plan = Planner.Plan(s_imageNet, w, new BatchNormScaleImportance(), new PlanOptions { Ratio = 0.35 }, "runs/base.safetensors");

        var json = plan.ToJson();
        var back = PruningPlan.FromJson(json);

        Assert.Contains("\"source_checkpoint\": \"runs/base.safetensors\"", json, StringComparison.Ordinal);
        Assert.Contains("\"achieved_ratio\"", json, StringComparison.Ordinal);
        Assert.Equal(plan.Model, back.Model);
        Assert.Equal(plan.Layers.Select(l => l.Kept), back.Layers.Select(l => l.Kept));
        var a = Surgery.Apply(plan, w, reload: true).Weights;
        var b = Surgery.Apply(back, w, reload: true).Weights;
        foreach (var name in a.Names)
        {
            Assert.Equal(a[name].Data, b[name].Data);
        }
    }

    [Fact]
    public void Scratch_surgery_gives_fresh_weights_of_the_pruned_shape()
    {
        var w = TrainedLike(s_cifar, seed: 8);
        var plan = Planner.Plan(s_cifar, w, new BatchNormScaleImportance(), new PlanOptions { Ratio = 0.5 });

        var (pruned, fresh) = Surgery.Apply(plan, w, reload: false, seed: 4);

        fresh.Validate(pruned);
        Assert.All(fresh["bn5.weight"].Data, g => Assert.Equal(1f, g));
        Assert.Equal(ModelWeights.Initialize(pruned, 4)["conv3.weight"].Data, fresh["conv3.weight"].Data);
    }

    [Theory]
    [InlineData(1.0, "ratio must be in [0, 1), got 1")]
    [InlineData(-0.1, "ratio must be in [0, 1), got -0.1")]
    [InlineData(double.NaN, "ratio must be in [0, 1), got NaN")]
    public void Ratio_outside_range_is_rejected(double ratio, string message)
    {
        var w = ModelWeights.Initialize(s_cifar, 1);
        var e = Assert.Throws<ArgumentException>(() => Planner.Plan(s_cifar, w, new BatchNormScaleImportance(), new PlanOptions { Ratio = ratio }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Plan_for_another_model_and_mismatched_weights_are_rejected()
    {
        var w = ModelWeights.Initialize(s_cifar, 1);
        var plan = Planner.Plan(s_cifar, w, new BatchNormScaleImportance(), new PlanOptions { Ratio = 0.2 });
        var other = Vgg16Spec.Cifar(inputChannels: 3, classes: 5, width: 1.0 / 16);

        Assert.Equal(
            $"pruning plan is for {s_cifar.Describe()}, not {other.Describe()}",
            Assert.Throws<ArgumentException>(() => plan.EnsureFor(other)).Message);
        Assert.Equal(
            $"weights do not match {s_cifar.Describe()}: conv1.weight has shape [4, 3, 3, 3], the model needs [4, 2, 3, 3]",
            Assert.Throws<ArgumentException>(() => Surgery.Apply(plan, ModelWeights.Initialize(other, 1), reload: true)).Message);
        Assert.Equal(
            "unknown importance method 'random' (known: slimming, l1) (Parameter 'name')",
            Assert.Throws<ArgumentException>(() => ChannelImportance.ByName("random")).Message);
        var unordered = plan with { Layers = [.. plan.Layers.Select(l => l.Name == "conv2" ? l with { Kept = [3, 1] } : l)] };
        Assert.Equal(
            "pruning plan conv2: kept indices must be ascending and in [0, 4), found 1",
            Assert.Throws<FormatException>(() => PruningPlan.FromJson(unordered.ToJson())).Message);
    }
}
