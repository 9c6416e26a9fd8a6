using System.Globalization;
using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt.Tests;

/// <summary>
/// The CPU plugin's own count of live native objects and device-memory blocks, read through its
/// live-stats extension (<c>native/include/xlaprune/xlaprune_live_stats.h</c>).
/// </summary>
internal readonly record struct PluginLiveStats(long Clients, long Executables, long Buffers, long DeviceBlocks, long DeviceBytes, long CachedBytes)
{
    private const int ExtensionType = 0x58500001; // XLAPRUNE_EXTENSION_TYPE_LIVE_STATS

    public static unsafe PluginLiveStats Read(PjrtPlugin plugin)
    {
        for (var e = plugin.Api->extension_start; e != null; e = e->next)
        {
            if ((int)e->type != ExtensionType)
            {
                continue;
            }

            var raw = new RawStats { StructSize = (nuint)sizeof(RawStats) };
            ((Extension*)e)->Read(&raw);
            return new(raw.Clients, raw.Executables, raw.Buffers, raw.DeviceBlocks, raw.DeviceBytes, raw.CachedBytes);
        }

        throw new InvalidOperationException("the CPU plugin has no live-stats extension");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RawStats
    {
        public nuint StructSize;
        public long Clients;
        public long Executables;
        public long Buffers;
        public long DeviceBlocks;
        public long DeviceBytes;
        public long CachedBytes;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Extension
    {
        public PJRT_Extension_Base Base;
        public delegate* unmanaged[Cdecl]<RawStats*, void> Read;
    }
}

/// <summary>
/// Process memory as a leak check should read it. Resident memory (RSS) alone also counts memory
/// that is reserved, not leaked: pages glibc keeps in its arenas after <c>free</c>, and the garbage
/// collector's committed regions, whose size follows its generation-0 budget, which .NET sizes from
/// the CPU's last-level cache (a 32 MiB L3 and a 105 MiB L3 differ by tens of MiB). So:
/// <see cref="NativeHeapInUse"/> is what malloc has handed out and not had back; <see cref="NativeResident"/>
/// is RSS after <c>malloc_trim(0)</c> minus the garbage collector's committed bytes.
/// </summary>
internal static partial class ProcessMemory
{
    public readonly record struct Sample(long Rss, long GcCommitted, long NativeHeapInUse, long Managed)
    {
        public long NativeResident => Rss - GcCommitted;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"rss {Rss >> 10} KiB, gc committed {GcCommitted >> 10} KiB, native resident {NativeResident >> 10} KiB, malloc in use {NativeHeapInUse >> 10} KiB, managed {Managed >> 10} KiB");
    }

    /// <summary>After a full blocking collection, finalizers and <c>malloc_trim(0)</c>.</summary>
    public static Sample Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        _ = MallocTrim(0);
        var info = MallInfo2();
        var committed = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
        var statm = File.ReadAllText("/proc/self/statm").Split(' ');
        var rss = long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        return new(rss, committed, (long)(info.Uordblks + info.Hblkhd), managed);
    }

    // struct mallinfo2 (glibc 2.33+): ten size_t fields.
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo MallInfo2();

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
