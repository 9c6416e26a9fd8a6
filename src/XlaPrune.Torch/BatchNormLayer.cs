using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace XlaPrune.Torch;

/// <summary>
/// BatchNorm over the channels of an NCHW tensor (momentum 0.1, ε 1e-5), with the same parameter
/// and buffer names as TorchSharp's <c>BatchNorm2d</c> (weight, bias, running_mean, running_var).
/// </summary>
/// <remarks>
/// TorchSharp's own <c>BatchNorm2d.forward</c> increments <c>num_batches_tracked</c> with
/// <c>add_(1)</c>, which hands libtorch the native handles of two implicitly created
/// <see cref="Scalar"/> objects and keeps neither alive: the garbage collector may finalize them
/// (freeing the native scalars) while libtorch still reads them, and training dies at random
/// ("Unknown scalar type"). The counter only matters for a cumulative average (momentum 0), which
/// this project never uses, so this layer keeps no counter and calls
/// <see cref="nn.functional.batch_norm"/> directly: the update of the running statistics and the
/// normalisation are libtorch's, computed exactly as before.
/// </remarks>
public sealed class BatchNormLayer : nn.Module<Tensor, Tensor>
{
    /// <summary>Weight of the running statistics' exponential average (PyTorch's default).</summary>
    public const double Momentum = 0.1;

    /// <summary>Added to the variance before the square root.</summary>
    public const double Epsilon = 1e-5;

    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;

    /// <summary>A layer for <paramref name="channels"/> channels: γ = 1, β = 0, mean 0, variance 1.</summary>
    public BatchNormLayer(long channels)
        : base("batch_norm")
    {
        _weight = new Parameter(ones(channels));
        _bias = new Parameter(zeros(channels));
        _runningMean = zeros(channels);
        _runningVar = ones(channels);
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
        register_buffer("running_mean", _runningMean);
        register_buffer("running_var", _runningVar);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// In training mode, normalises with the batch statistics and updates the running ones in
    /// place; in eval mode, normalises with the running statistics.
    /// </remarks>
    public override Tensor forward(Tensor input) =>
        nn.functional.batch_norm(input, _runningMean, _runningVar, _weight, _bias, training, Momentum, Epsilon);
}
