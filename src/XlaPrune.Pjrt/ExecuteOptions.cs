using System.Collections.ObjectModel;

namespace XlaPrune.Pjrt;

/// <summary>Immutable execution settings.</summary>
public sealed record ExecuteOptions
{
    private readonly long[] _indices = [];
    private readonly IReadOnlyList<long> _nonDonatable = ReadOnlyCollection<long>.Empty;

    /// <summary>Launch id 0; every argument the program aliases to an output may be donated.</summary>
    public static ExecuteOptions Default { get; } = new();

    /// <summary>Parameter indices whose buffers must never be donated (they stay valid after the call).</summary>
    public IReadOnlyList<long> NonDonatableInputIndices
    {
        get => _nonDonatable;
        init
        {
            _indices = [.. value];
            _nonDonatable = new ReadOnlyCollection<long>(_indices);
        }
    }

    // The same indices as a private copy, read by every launch without a managed allocation.
    internal ReadOnlySpan<long> NonDonatableIndices => _indices;

    /// <summary>An id shared by the launches of one multi-device step (0 if unused).</summary>
    public int LaunchId { get; init; }

    /// <summary>Options that keep every one of <paramref name="argumentCount"/> arguments alive.</summary>
    public static ExecuteOptions NoDonation(int argumentCount) =>
        new() { NonDonatableInputIndices = Enumerable.Range(0, argumentCount).Select(i => (long)i).ToArray() };
}
