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
        var input = new float[Rows * Cols];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = i % 977;
        }

        long rssAtCheckpoint = 0, managedAtCheckpoint = 0;
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
                    (rssAtCheckpoint, managedAtCheckpoint) = Memory();
                }
            }

            // Inside the loop every buffer was disposed: only the client and the executable remain.
            Assert.Equal(during!, Snapshot());
            Assert.Equal(start[PjrtObjectKind.Buffer], PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
            Assert.Equal(start[PjrtObjectKind.Event], PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Event));
        }

        var (rssAtEnd, managedAtEnd) = Memory();
        _output.WriteLine($"cycles {Checkpoint}..{Cycles}: resident {(rssAtEnd - rssAtCheckpoint) >> 10} KiB, managed {(managedAtEnd - managedAtCheckpoint) >> 10} KiB");
        Assert.Equal(start, Snapshot());
        Assert.True(rssAtEnd - rssAtCheckpoint < RssBound,
            $"resident memory grew by {(rssAtEnd - rssAtCheckpoint) >> 10} KiB between cycle {Checkpoint} and {Cycles}");
        Assert.True(managedAtEnd - managedAtCheckpoint < ManagedBound,
            $"managed heap grew by {(managedAtEnd - managedAtCheckpoint) >> 10} KiB between cycle {Checkpoint} and {Cycles}");
    }

    [Fact]
    public void Two_thousand_compile_cycles_on_twenty_clients_leave_counters_and_memory_flat()
    {
        const int clients = 20, compilesPerClient = 100, checkpointClient = 4;
        var start = Snapshot();
        long rssAtCheckpoint = 0;
        for (var c = 1; c <= clients; c++)
        {
            using var client = _plugin.CreateClient();
            for (var i = 0; i < compilesPerClient; i++)
            {
                var k = (c * compilesPerClient) + i;
                using var executable = client.CompileHlo(ConstantAddModule.Build(2, 3, k));
                using var x = client.BufferFromHost<float>([0, 1, 2, 3, 4, 5], [2, 3]);
                using var y = Assert.Single(executable.Execute([x]));
                Assert.Equal([k, k + 1f, k + 2f, k + 3f, k + 4f, k + 5f], y.ToArray<float>());
            }

            if (c == checkpointClient)
            {
                rssAtCheckpoint = Memory().Rss;
            }
        }

        Assert.Equal(start, Snapshot());
        // A leaked client, executable or buffer shows in the counters above. The resident-memory
        // bound catches native storage a destroy forgets: over the last 1,600 compiles, 48 MiB is
        // exceeded by anything of 30 KiB or more per compile.
        var growth = Memory().Rss - rssAtCheckpoint;
        _output.WriteLine($"compiles {checkpointClient * compilesPerClient}..{clients * compilesPerClient}: resident {growth >> 10} KiB");
        Assert.True(growth < RssBound, $"resident memory grew by {growth >> 10} KiB between compile {checkpointClient * compilesPerClient} and {clients * compilesPerClient}");
    }

    private static Dictionary<PjrtObjectKind, int> Snapshot() =>
        Enum.GetValues<PjrtObjectKind>().ToDictionary(k => k, PjrtDiagnostics.LiveObjectsOf);

    // Resident set size from /proc/self/statm (pages) and the managed heap after a full collection.
    private static (long Rss, long Managed) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var statm = File.ReadAllText("/proc/self/statm").Split(' ');
        var rss = long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        return (rss, managed);
    }
}
