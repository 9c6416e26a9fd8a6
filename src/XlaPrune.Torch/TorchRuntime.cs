using TorchSharp;

namespace XlaPrune.Torch;

/// <summary>Process-wide TorchSharp settings every trainer and test starts from.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Makes runs repeatable and sized to this machine: seeds TorchSharp's generator and uses one
    /// intra-op thread per core (libtorch's default can oversubscribe small machines).
    /// </summary>
    public static void Initialize(long seed)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(seed);
    }
}
