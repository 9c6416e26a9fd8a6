using System.Globalization;
using Xunit.Abstractions;

namespace XlaPrune.Pjrt.Tests;

/// <summary>
/// Thousands of transfer/execute/read/dispose cycles through the managed layer: the live-object
/// counters must come back to where they started and neither the managed heap nor the process's
/// resident memory may grow between an early and the final cycle.
/// </summary>
public sealed class LeakLoopTests : IDisposable
{
    private const int Rows = 64;
    private const int Cols = 1024; // 64 x 1024 f32 = 256 KiB per buffer
    private const int Cycles = 5_000;
    private const int Checkpoint = 1_000;

    // Growth allowed between cycle 1,000 and cycle 5,000. Leaking one 256 KiB buffer per cycle
    // would add 4,000 x 256 KiB = 1,000 MiB of resident memory (and, for a leaked managed array,
    // as much managed heap); even a leaked 16 KiB per cycle would add 62 MiB. The bounds sit well
    // above allocator and JIT noise and far below either.
    private const long RssBound = 48L << 20;
    private const long ManagedBound = 4L << 20;

    private readonly PjrtPlugin _plugin;
    private readonly ITestOutputHelper _output;

    public LeakLoopTests(ITestOutputHelper output)
    {
        _output = output;
        NativeLinkCheck.RequireFullyLinked(Path.Combine(AppContext.BaseDirectory, "libxlaprune_pjrt_cpu.so"));
        _plugin = PjrtPlugin.Load("cpu");
    }

    public void Dispose() => Assert.Equal(0, PjrtDiagnostics.LiveObjects);

    [Fact]
    public async Task Five_thousand_transfer_execute_read_cycles_leave_counters_and_memory_flat()
    {
        var start = Snapshot();
        var pluginStart = PluginLiveStats.Read(_plugin);
        var input = new float[Rows * Cols];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = i % 977;
        }

        var atCheckpoint = default(ProcessMemory.Sample);
        var pluginAtCheckpoint = default(PluginLiveStats);
        using (var client = _plugin.CreateClient())
        using (var executable = client.CompileHlo(ConstantAddModule.Build(Rows, Cols, 0.5f)))
        {
            Dictionary<PjrtObjectKind, int>? during = null;
            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                if (cycle == 2)
                {
                    // After the first run (whose buffers are disposed): the executable has fetched
                    // its PJRT_Executable view, which it keeps for its lifetime.
                    during = Snapshot();
                }

                if (cycle == Checkpoint + 1)
                {
                    // Between cycles: the buffers of cycle 1,000 are destroyed.
                    pluginAtCheckpoint = PluginLiveStats.Read(_plugin);
                }

                using var x = client.BufferFromHost<float>(input, [Rows, Cols]);
                var outputs = executable.Execute([x], ExecuteOptions.NoDonation(1));
                using var y = Assert.Single(outputs);
                // Alternate the blocking read and the event-based one, so both paths are looped.
                var result = cycle % 2 == 0 ? y.ToArray<float>() : await y.ToArrayAsync<float>();
                var probe = (cycle * 7919) % input.Length;
                if (result[probe] != input[probe] + 0.5f || result.Length != input.Length)
                {
                    Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"cycle {cycle}: element {probe} is {result[probe]}, expected {input[probe] + 0.5f}"));
                }

                if (cycle == Checkpoint)
                {
                    atCheckpoint = ProcessMemory.Measure();
                }
            }

            // Inside the loop every buffer was disposed: only the client and the executable remain.
            Assert.Equal(during!, Snapshot());
            Assert.Equal(start[PjrtObjectKind.Buffer], PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
            Assert.Equal(start[PjrtObjectKind.Event], PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Event));
            // In the plugin, too, only the client and the executable remain, and its block cache
            // (which keeps freed 256 KiB blocks for reuse) has not grown since cycle 1,000.
            Assert.Equal(pluginAtCheckpoint, PluginLiveStats.Read(_plugin));
        }

        var atEnd = ProcessMemory.Measure();
        _output.WriteLine($"at cycle {Checkpoint}: {atCheckpoint}");
        _output.WriteLine($"at cycle {Cycles}: {atEnd}");
        Assert.Equal(start, Snapshot());
        Assert.Equal(pluginStart with { CachedBytes = 0 }, PluginLiveStats.Read(_plugin) with { CachedBytes = 0 });
        AssertFlat(atCheckpoint, atEnd, $"cycle {Checkpoint} and {Cycles}");
        Assert.True(atEnd.Managed - atCheckpoint.Managed < ManagedBound,
            $"managed heap grew by {(atEnd.Managed - atCheckpoint.Managed) >> 10} KiB between cycle {Checkpoint} and {Cycles}");
    }

    [Fact]
    public void Two_thousand_compile_cycles_on_twenty_clients_leave_counters_and_memory_flat()
    {
        const int clients = 20, compilesPerClient = 100, checkpointClient = 4;
        var start = Snapshot();
        var pluginStart = PluginLiveStats.Read(_plugin);
        var atCheckpoint = default(ProcessMemory.Sample);
        for (var c = 1; c <= clients; c++)
        {
            CompileAndRunOnANewClient(c, compilesPerClient, pluginStart);
            // The client is gone: the plugin's own counts are back where they started, exactly.
            Assert.Equal(pluginStart, PluginLiveStats.Read(_plugin));
            if (c == checkpointClient)
            {
                atCheckpoint = ProcessMemory.Measure();
            }
        }

        Assert.Equal(start, Snapshot());
        Assert.Equal(pluginStart, PluginLiveStats.Read(_plugin));
        // A leaked client, executable, buffer or device block shows in the counts above. Native
        // storage a destroy forgets (a string, a program) shows in the native memory: over the last
        // 1,600 compiles, 48 MiB is exceeded by anything of 30 KiB or more per compile. Raw RSS is
        // not used: it also holds the garbage collector's committed regions (ProcessMemory).
        var atEnd = ProcessMemory.Measure();
        var window = $"compile {checkpointClient * compilesPerClient} and {clients * compilesPerClient}";
        _output.WriteLine($"at compile {checkpointClient * compilesPerClient}: {atCheckpoint}");
        _output.WriteLine($"at compile {clients * compilesPerClient}: {atEnd}");
        AssertFlat(atCheckpoint, atEnd, window);
    }

    private void CompileAndRunOnANewClient(int c, int compiles, PluginLiveStats pluginStart)
    {
        using var client = _plugin.CreateClient();
        for (var i = 0; i < compiles; i++)
        {
            var k = (c * compiles) + i;
            using (var executable = client.CompileHlo(ConstantAddModule.Build(2, 3, k)))
            using (var x = client.BufferFromHost<float>([0, 1, 2, 3, 4, 5], [2, 3]))
            using (var y = Assert.Single(executable.Execute([x])))
            {
                Assert.Equal([k, k + 1f, k + 2f, k + 3f, k + 4f, k + 5f], y.ToArray<float>());
            }

            // Every executable and buffer of this compile is destroyed in the plugin, too.
            Assert.Equal(pluginStart with { Clients = pluginStart.Clients + 1 }, PluginLiveStats.Read(_plugin));
        }
    }

    // Both native measures of ProcessMemory must stay under the bound across the window.
    private static void AssertFlat(ProcessMemory.Sample from, ProcessMemory.Sample to, string window)
    {
        Assert.True(to.NativeResident - from.NativeResident < RssBound,
            $"native resident memory (RSS after malloc_trim minus GC committed) grew by {(to.NativeResident - from.NativeResident) >> 10} KiB between {window}");
        Assert.True(to.NativeHeapInUse - from.NativeHeapInUse < RssBound,
            $"malloc'd memory in use grew by {(to.NativeHeapInUse - from.NativeHeapInUse) >> 10} KiB between {window}");
    }

    private static Dictionary<PjrtObjectKind, int> Snapshot() =>
        Enum.GetValues<PjrtObjectKind>().ToDictionary(k => k, PjrtDiagnostics.LiveObjectsOf);
}
