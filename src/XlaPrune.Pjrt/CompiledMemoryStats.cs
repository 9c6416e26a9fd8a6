namespace XlaPrune.Pjrt;

/// <summary>Compiler memory statistics of an executable, in bytes (-1 or 0 where the plugin does not report a value).</summary>
/// <param name="GeneratedCodeSizeInBytes">Device code size.</param>
/// <param name="ArgumentSizeInBytes">Parameter buffers.</param>
/// <param name="OutputSizeInBytes">Output buffers.</param>
/// <param name="AliasSizeInBytes">Bytes shared between parameters and outputs.</param>
/// <param name="TempSizeInBytes">Scratch memory for intermediates.</param>
/// <param name="HostGeneratedCodeSizeInBytes">Host code size.</param>
/// <param name="HostArgumentSizeInBytes">Host-memory parameters.</param>
/// <param name="HostOutputSizeInBytes">Host-memory outputs.</param>
/// <param name="HostAliasSizeInBytes">Host-memory aliasing.</param>
/// <param name="HostTempSizeInBytes">Host-memory scratch.</param>
/// <param name="PeakMemoryInBytes">Peak device memory of a run.</param>
/// <param name="TotalSizeInBytes">Total device memory the program needs.</param>
public sealed record CompiledMemoryStats(
    long GeneratedCodeSizeInBytes,
    long ArgumentSizeInBytes,
    long OutputSizeInBytes,
    long AliasSizeInBytes,
    long TempSizeInBytes,
    long HostGeneratedCodeSizeInBytes,
    long HostArgumentSizeInBytes,
    long HostOutputSizeInBytes,
    long HostAliasSizeInBytes,
    long HostTempSizeInBytes,
    long PeakMemoryInBytes,
    long TotalSizeInBytes)
{
    /// <summary><see cref="PeakMemoryInBytes"/> where the plugin reports one, else null (a plugin may report 0 or -1).</summary>
    public long? KnownPeakBytes => PeakMemoryInBytes > 0 ? PeakMemoryInBytes : null;
}
