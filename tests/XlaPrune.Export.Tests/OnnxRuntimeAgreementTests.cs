using Microsoft.ML.OnnxRuntime;
using XlaPrune.Export.Onnx;
using XlaPrune.Models;
using XlaPrune.Torch;
using static TorchSharp.torch;

namespace XlaPrune.Export.Tests;

/// <summary>
/// Exported graphs run in ONNX Runtime give TorchSharp's eval-mode logits, on real Fashion-MNIST
/// images, for the CIFAR and ImageNet variants, unpruned and pruned, BatchNorm folded and kept.
/// </summary>
public sealed class OnnxRuntimeAgreementTests
{
    private const int Images = 8;

    public static TheoryData<string, double, BatchNormExport> Cases => new()
    {
        { "cifar", 0.0, BatchNormExport.Folded },
        { "cifar", 0.5, BatchNormExport.Folded },
        { "cifar", 0.3, BatchNormExport.Kept },
        { "cifar", 0.7, BatchNormExport.Kept },
        { "imagenet", 0.0, BatchNormExport.Folded },
        { "imagenet", 0.5, BatchNormExport.Folded },
        { "imagenet", 0.5, BatchNormExport.Kept },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Onnx_runtime_logits_equal_torchsharp_eval_logits(string variant, double ratio, BatchNormExport batchNorm)
    {
        var original = variant == "cifar"
            ? Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.25)
            : Vgg16Spec.ImageNet(inputChannels: 1, classes: 10, width: 0.0625, classifierHidden: 64);
        var weights = ExportFixtures.Weights(original, seed: 7);
        var (spec, prunedWeights) = ratio > 0 ? ExportFixtures.Pruned(original, weights, ratio) : (original, weights);
        Assert.Equal(ratio > 0, !spec.ConvChannels.SequenceEqual(original.ConvChannels));
        var images = ExportFixtures.Images(Images, spec.ImageSize);

        var expected = TorchLogits(spec, prunedWeights, images);
        var actual = OnnxLogits(OnnxExporter.Export(spec, prunedWeights, batchNorm), spec, images);

        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1.0, expected.Max(Math.Abs));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale,
                $"logit {i}: TorchSharp {expected[i]}, ONNX Runtime {actual[i]} (scale {scale})");
        }

        // The logits are not degenerate: images are told apart.
        Assert.True(expected.Max() - expected.Min() > 0.1, "logits are nearly constant; the comparison would prove little");
    }

    [Fact]
    public void Model_states_ir_version_opset_and_io_names()
    {
        var spec = Vgg16Spec.Cifar(inputChannels: 1, classes: 10, width: 0.0625);
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.Export(spec, ExportFixtures.Weights(spec, 1)));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("input", Assert.Single(model.Graph.Input).Name);
        Assert.Equal("logits", Assert.Single(model.Graph.Output).Name);
        // Folded: 13 convs each with a weight and a bias, the linear layer's weight and bias; no BN nodes.
        Assert.Equal(28, model.Graph.Initializer.Count);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.Equal(13, model.Graph.Node.Count(n => n.OpType == "Conv"));
        Assert.Equal(5, model.Graph.Node.Count(n => n.OpType == "MaxPool"));
        Assert.Equal(spec.ToJson(), model.MetadataProps.Single(p => p.Key == "xlaprune.spec").Value);
    }

    private static float[] TorchLogits(Vgg16Spec spec, ModelWeights weights, float[] images)
    {
        using var module = new Vgg16Module(spec);
        module.LoadWeights(weights);
        module.eval();
        using var noGrad = no_grad();
        using var x = tensor(images, [Images, spec.InputChannels, spec.ImageSize, spec.ImageSize]);
        using var y = module.forward(x);
        return y.data<float>().ToArray();
    }

    private static float[] OnnxLogits(byte[] model, Vgg16Spec spec, float[] images)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model, options);
        using var input = OrtValue.CreateTensorValueFromMemory(images, [Images, spec.InputChannels, spec.ImageSize, spec.ImageSize]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExporter.InputName], [input], [OnnxExporter.OutputName]);
        var logits = outputs[0];
        Assert.Equal([Images, spec.Classes], logits.GetTensorTypeAndShape().Shape);
        return logits.GetTensorDataAsSpan<float>().ToArray();
    }
}
