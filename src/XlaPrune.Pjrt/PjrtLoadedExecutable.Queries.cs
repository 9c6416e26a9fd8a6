namespace XlaPrune.Pjrt;

// Queries on the compiled program, answered by the PJRT_Executable behind the loaded one.
public sealed partial class PjrtLoadedExecutable
{
    /// <inheritdoc cref="PjrtExecutable.Name"/>
    public string Name => Executable.Name;

    /// <inheritdoc cref="PjrtExecutable.NumReplicas"/>
    public int NumReplicas => Executable.NumReplicas;

    /// <inheritdoc cref="PjrtExecutable.NumPartitions"/>
    public int NumPartitions => Executable.NumPartitions;

    /// <inheritdoc cref="PjrtExecutable.NumOutputs"/>
    public int NumOutputs => Executable.NumOutputs;

    /// <inheritdoc cref="PjrtExecutable.SizeOfGeneratedCodeInBytes"/>
    public long SizeOfGeneratedCodeInBytes => Executable.SizeOfGeneratedCodeInBytes;

    /// <inheritdoc cref="PjrtExecutable.OutputElementTypes"/>
    public IReadOnlyList<PjrtElementType> OutputElementTypes => Executable.OutputElementTypes;

    /// <inheritdoc cref="PjrtExecutable.OutputDimensions"/>
    public IReadOnlyList<long[]> OutputDimensions => Executable.OutputDimensions;

    /// <inheritdoc cref="PjrtExecutable.OutputMemoryKinds"/>
    public IReadOnlyList<string> OutputMemoryKinds => Executable.OutputMemoryKinds;

    /// <inheritdoc cref="PjrtExecutable.Fingerprint"/>
    public string Fingerprint => Executable.Fingerprint;

    /// <inheritdoc cref="PjrtExecutable.GetCompiledMemoryStats"/>
    public CompiledMemoryStats GetCompiledMemoryStats() => Executable.GetCompiledMemoryStats();

    /// <inheritdoc cref="PjrtExecutable.GetCostAnalysis"/>
    public IReadOnlyDictionary<string, object> GetCostAnalysis() => Executable.GetCostAnalysis();

    /// <inheritdoc cref="PjrtExecutable.GetOptimizedProgram"/>
    public PjrtProgram GetOptimizedProgram() => Executable.GetOptimizedProgram();

    /// <inheritdoc cref="PjrtExecutable.Serialize"/>
    public byte[] Serialize() => Executable.Serialize();
}
