using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using XlaPrune.Export.Onnx;
using XlaPrune.Models;

namespace XlaPrune.Export;

/// <summary>How BatchNorm appears in an exported inference graph.</summary>
public enum BatchNormExport
{
    /// <summary>Folded into the preceding convolution's weight and a new bias (the usual deployment form).</summary>
    Folded,

    /// <summary>Kept as ONNX <c>BatchNormalization</c> nodes over the running statistics.</summary>
    Kept,
}

/// <summary>
/// Writes a VGG-16 of any spec (CIFAR or ImageNet variant, any width, any pruned channel counts) as an
/// ONNX inference graph in eval mode: dropout removed, BatchNorm over its running statistics. The graph
/// has one input <see cref="InputName"/> <c>[batch, C, S, S]</c> (NCHW, batch symbolic) and one output
/// <see cref="OutputName"/> <c>[batch, classes]</c>; initializers keep the checkpoint's tensor names.
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX IR version written (8: ONNX 1.10 and later, every current ONNX Runtime reads it).</summary>
    public const long IrVersion = 8;

    /// <summary>Default-domain opset the nodes bind to (17: ONNX 1.12).</summary>
    public const long Opset = 17;

    public const string InputName = "input";

    // ONNX BatchNormalization's inputs after X, in its order: scale, B, input_mean, input_var.
    private static readonly string[] s_batchNormTensors = ["weight", "bias", "running_mean", "running_var"];

    public const string OutputName = "logits";

    /// <summary>BatchNorm epsilon of every XlaPrune model (the TorchSharp module and the HLO programs).</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>Serialized <c>onnx.ModelProto</c> of <paramref name="spec"/> with <paramref name="weights"/>.</summary>
    /// <exception cref="ArgumentException">The weights do not match the spec.</exception>
    public static byte[] Export(Vgg16Spec spec, ModelWeights weights, BatchNormExport batchNorm = BatchNormExport.Folded) =>
        Build(spec, weights, batchNorm).ToByteArray();

    /// <summary>The <c>onnx.ModelProto</c> of <paramref name="spec"/> with <paramref name="weights"/>.</summary>
    /// <exception cref="ArgumentException">The weights do not match the spec.</exception>
    public static ModelProto Build(Vgg16Spec spec, ModelWeights weights, BatchNormExport batchNorm = BatchNormExport.Folded)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate(spec);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not");
        }

        var graph = new GraphProto { Name = "vgg16" };
        graph.Input.Add(TensorValue(InputName, "batch", spec.InputChannels, spec.ImageSize, spec.ImageSize));
        var x = InputName;
        foreach (var conv in spec.Convs)
        {
            x = batchNorm == BatchNormExport.Folded
                ? FoldedConv(graph, conv, weights, x)
                : ConvThenBatchNorm(graph, conv, weights, x);
            x = Node(graph, "Relu", $"{conv.Name}.relu", [x]);
            if (conv.MaxPoolAfter)
            {
                x = Node(graph, "MaxPool", $"{conv.Name}.pool", [x], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2));
            }
        }

        x = Node(graph, "Flatten", "flatten", [x], Int("axis", 1));
        foreach (var linear in spec.Linears)
        {
            graph.Initializer.Add(Tensor($"{linear.Name}.weight", weights[$"{linear.Name}.weight"]));
            graph.Initializer.Add(Tensor($"{linear.Name}.bias", weights[$"{linear.Name}.bias"]));
            x = Node(graph, "Gemm", linear.Name, [x, $"{linear.Name}.weight", $"{linear.Name}.bias"], Int("transB", 1));
            if (linear.ReluAfter)
            {
                x = Node(graph, "Relu", $"{linear.Name}.relu", [x]);
            }
        }

        // The last node writes the graph output under its public name.
        graph.Node[^1].Output[0] = OutputName;
        graph.Output.Add(TensorValue(OutputName, "batch", spec.Classes));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "xlaprune",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0",
            Graph = graph,
            DocString = spec.Describe(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "xlaprune.spec", Value = spec.ToJson() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "xlaprune.batchnorm", Value = batchNorm == BatchNormExport.Folded ? "folded" : "kept" });
        return model;
    }

    /// <summary>
    /// Folds BatchNorm into the convolution: with s = γ / √(var + ε), W' = s·W per output channel and
    /// b = β − s·mean. Computed in double so the folded graph equals conv → BN within f32 rounding.
    /// </summary>
    private static string FoldedConv(GraphProto graph, ConvLayerSpec conv, ModelWeights weights, string x)
    {
        var w = weights[$"{conv.Name}.weight"];
        var gamma = weights[$"{conv.BatchNormName}.weight"].Data;
        var beta = weights[$"{conv.BatchNormName}.bias"].Data;
        var mean = weights[$"{conv.BatchNormName}.running_mean"].Data;
        var variance = weights[$"{conv.BatchNormName}.running_var"].Data;
        var perFilter = w.Data.Length / conv.OutChannels;
        var folded = new float[w.Data.Length];
        var bias = new float[conv.OutChannels];
        for (var o = 0; o < conv.OutChannels; o++)
        {
            var scale = gamma[o] / Math.Sqrt(variance[o] + BatchNormEpsilon);
            for (var k = 0; k < perFilter; k++)
            {
                folded[(o * perFilter) + k] = (float)(w.Data[(o * perFilter) + k] * scale);
            }

            bias[o] = (float)(beta[o] - (mean[o] * scale));
        }

        graph.Initializer.Add(Tensor($"{conv.Name}.weight", new WeightTensor(w.Shape, folded)));
        graph.Initializer.Add(Tensor($"{conv.Name}.bias", new WeightTensor([conv.OutChannels], bias)));
        return Node(graph, "Conv", conv.Name, [x, $"{conv.Name}.weight", $"{conv.Name}.bias"], ConvAttributes());
    }

    private static string ConvThenBatchNorm(GraphProto graph, ConvLayerSpec conv, ModelWeights weights, string x)
    {
        graph.Initializer.Add(Tensor($"{conv.Name}.weight", weights[$"{conv.Name}.weight"]));
        var y = Node(graph, "Conv", conv.Name, [x, $"{conv.Name}.weight"], ConvAttributes());
        string[] bnInputs = [y, .. s_batchNormTensors.Select(t => $"{conv.BatchNormName}.{t}")];
        foreach (var name in bnInputs.Skip(1))
        {
            graph.Initializer.Add(Tensor(name, weights[name]));
        }

        return Node(graph, "BatchNormalization", conv.BatchNormName, bnInputs,
            new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = (float)BatchNormEpsilon });
    }

    private static AttributeProto[] ConvAttributes() =>
        [Ints("kernel_shape", ConvLayerSpec.KernelSize, ConvLayerSpec.KernelSize), Ints("pads", 1, 1, 1, 1), Ints("strides", 1, 1)];

    /// <summary>Adds a node named <paramref name="name"/> with one output of the same name; returns that name.</summary>
    private static string Node(GraphProto graph, string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return name;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto Tensor(string name, WeightTensor value)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(value.Data.AsSpan())),
        };
        tensor.Dims.AddRange(value.Shape.Select(d => (long)d));
        return tensor;
    }

    private static ValueInfoProto TensorValue(string name, string batchParameter, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchParameter });
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
            DocString = string.Create(CultureInfo.InvariantCulture, $"f32 [{batchParameter}, {string.Join(", ", dims)}]"),
        };
    }
}
