namespace XlaPrune.Pjrt;

/// <summary>Counts of native PJRT objects currently owned by managed code, for leak tests and diagnostics.</summary>
public static class PjrtDiagnostics
{
    private static readonly int[] s_live = new int[Enum.GetValues<PjrtObjectKind>().Length];

    /// <summary>Owned native objects (clients, buffers, executables, events) not yet destroyed.</summary>
    public static int LiveObjects => Enumerable.Range(0, s_live.Length).Sum(i => Volatile.Read(ref s_live[i]));

    /// <summary>Owned native objects of one kind not yet destroyed.</summary>
    public static int LiveObjectsOf(PjrtObjectKind kind) => Volatile.Read(ref s_live[(int)kind]);

    internal static void Created(PjrtObjectKind kind) => Interlocked.Increment(ref s_live[(int)kind]);

    internal static void Destroyed(PjrtObjectKind kind) => Interlocked.Decrement(ref s_live[(int)kind]);
}

/// <summary>Kinds of native PJRT objects that managed code owns.</summary>
public enum PjrtObjectKind
{
    /// <summary><c>PJRT_Client</c>.</summary>
    Client,
    /// <summary><c>PJRT_Buffer</c>.</summary>
    Buffer,
    /// <summary><c>PJRT_LoadedExecutable</c>.</summary>
    LoadedExecutable,
    /// <summary><c>PJRT_Executable</c>.</summary>
    Executable,
    /// <summary><c>PJRT_Event</c>.</summary>
    Event,
    /// <summary><c>PJRT_TopologyDescription</c>.</summary>
    Topology,
}
