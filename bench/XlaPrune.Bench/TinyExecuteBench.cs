using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using XlaPrune.Hlo;
using XlaPrune.Pjrt;

namespace XlaPrune.Bench;

/// <summary>
/// Section 3: the fixed cost of one tiny execute (f32[4] add) through XlaPrune.Pjrt against a plain C caller of the
/// same plugin (native/bench/pjrt_call_bench.c). Both sides time the same two spans of every call with the same
/// monotonic clock: launch (the execute call, which hands back the outputs and the completion event) and
/// launch + wait (also awaiting the event and destroying event and output). Rounds alternate between the two
/// sides, so a busy machine shifts both alike.
/// </summary>
internal static class TinyExecuteBench
{
    public const int Iterations = 20000;
    public const int Rounds = 9;

    /// <summary>How long the C# side runs every call, twice, before the first timed round.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    public static string Run(PjrtPlugin plugin, string nativeBin)
    {
        var module = TinyAdd();
        var modulePath = Path.Combine(Path.GetTempPath(), $"xlaprune-bench-add-{Environment.ProcessId}.pb");
        File.WriteAllBytes(modulePath, module);
        var c = new Measurements();
        var managed = new Measurements();
        var reused = new List<double>();
        var calls = new List<double>();
        var cCalls = new List<double>();
        double bytes, reusedBytes;
        try
        {
            using var side = new ManagedSide(plugin, module);
            bytes = side.BytesPerExecute();
            reusedBytes = side.BytesPerReusedCall();
            for (var r = 0; r < Rounds; r++)
            {
                var round = JsonDocument.Parse(NativeEnvironment.Run(Path.Combine(nativeBin, "xlaprune_pjrt_call_bench"),
                    $"\"{plugin.Path}\" \"{modulePath}\" {Iterations} 1")).RootElement;
                c.Add(round.GetProperty("launch_ns").GetDouble(), round.GetProperty("launch_wait_ns").GetDouble());
                cCalls.Add(round.GetProperty("call_ns").GetDouble());
                var (launch, launchWait, reusedCall, call) = side.Round();
                managed.Add(launch, launchWait);
                reused.Add(reusedCall);
                calls.Add(call);
            }
        }
        finally
        {
            File.Delete(modulePath);
        }

        var ic = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        report.Append("## 3. Tiny execute (f32[4] add), C# through XlaPrune.Pjrt vs a native C caller\n\n");
        report.Append(ic, $"{Rounds} rounds of {Iterations} calls on each side, alternating; both sides time every call with the monotonic clock. ");
        report.Append("Median round, and in brackets the fastest round (the least disturbed by other load on the machine).\n\n");
        report.Append("| | C# µs | C µs | C# / C |\n| --- | --- | --- | --- |\n");
        Row(report, "launch + wait, reused call (`PjrtExecuteCall.Execute`: execute, await and destroy the event, destroy the previous output)", reused, c.LaunchWait);
        Row(report, "launch + wait (`Execute`: execute, await and destroy the event; then destroy the output)", managed.LaunchWait, c.LaunchWait);
        Row(report, "launch only (`Launch`: the execute call, handing back outputs and event)", managed.Launch, c.Launch);
        Row(report, "one trivial call (`PjrtBuffer.OnDeviceSizeInBytes`: PJRT_Buffer_OnDeviceSizeInBytes), a loop of calls", calls, cCalls);
        report.Append(ic, $"\nManaged bytes allocated per reused call: {reusedBytes:F0}; per `Execute` + wait + output dispose: {bytes:F0} (the output array, its `PjrtBuffer` and its handle).\n");
        report.Append("Targets: C# / C ≤ 1.1 through the reused call (the first row) and ≤ 1.5 µs per launch + wait.\n\n");
        Console.WriteLine(string.Create(ic, $"tiny execute (median ns): C# reused call {Median(reused):F0}, launch {Median(managed.Launch):F0}, launch+wait {Median(managed.LaunchWait):F0}; C launch {Median(c.Launch):F0}, launch+wait {Median(c.LaunchWait):F0}"));
        return report.ToString();
    }

    private static void Row(StringBuilder report, string label, List<double> managed, List<double> c)
    {
        var ic = CultureInfo.InvariantCulture;
        report.Append(ic, $"| {label} | {Median(managed) / 1000:F3} ({managed.Min() / 1000:F3}) | {Median(c) / 1000:F3} ({c.Min() / 1000:F3}) | ");
        report.Append(ic, $"{Median(managed) / Median(c):F2} ({managed.Min() / c.Min():F2}) |\n");
    }

    private static double Nanoseconds(long ticks) => ticks * 1e9 / Stopwatch.Frequency;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static byte[] TinyAdd()
    {
        var b = new HloBuilder("tiny_add");
        var x = b.Parameter(XlaPrune.Hlo.Shape.F32(4), "x");
        var y = b.Parameter(XlaPrune.Hlo.Shape.F32(4), "y");
        return b.Build(b.Add(x, y)).ToProtoBytes();
    }

    private sealed class Measurements
    {
        public List<double> Launch { get; } = [];

        public List<double> LaunchWait { get; } = [];

        public void Add(double launch, double launchWait)
        {
            Launch.Add(launch);
            LaunchWait.Add(launchWait);
        }
    }

    // The C# caller: one client, program and argument pair for every round, warmed up once.
    private sealed class ManagedSide : IDisposable
    {
        private readonly PjrtClient _client;
        private readonly PjrtLoadedExecutable _executable;
        private readonly PjrtBuffer _x;
        private readonly PjrtBuffer _y;
        private readonly PjrtBuffer[] _arguments;
        // The C caller passes empty execute options; so does this side (the program aliases nothing, so no argument
        // could be donated either way; a non-donatable list would only add work the C side does not do).
        private readonly ExecuteOptions _options = ExecuteOptions.Default;
        private readonly PjrtExecuteCall _call;

        public ManagedSide(PjrtPlugin plugin, byte[] module)
        {
            _client = plugin.CreateClient();
            _executable = _client.CompileHlo(module);
            _x = _client.BufferFromHost<float>([1, 2, 3, 4], [4]);
            _y = _client.BufferFromHost<float>([10, 20, 30, 40], [4]);
            _arguments = [_x, _y];
            _call = _executable.PrepareExecute(_options);
            // Warm up for a wall-clock span, not a call count: the tiered JIT recompiles hot methods with their
            // profile in the background (after a 100 ms quiet period), and rounds that start before that measure
            // code a long training loop never runs (rounds then varied 0.57-0.78 µs; without tiering, 0.57).
            for (var phase = 0; phase < 2; phase++)
            {
                var warm = Stopwatch.StartNew();
                while (warm.Elapsed < WarmUp)
                {
                    _call.Execute(_arguments);
                    _executable.Execute(_arguments, _options)[0].Dispose();
                    var outputs = _executable.Launch(_arguments, out var done, _options);
                    done?.Await();
                    done?.Dispose();
                    outputs[0].Dispose();
                    _ = _x.OnDeviceSizeInBytes;
                }

                Thread.Sleep(200); // a quiet moment for the background compiler
            }
        }

        public double BytesPerExecute()
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Iterations; i++)
            {
                _executable.Execute(_arguments, _options)[0].Dispose();
            }

            return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Iterations;
        }

        public double BytesPerReusedCall()
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Iterations; i++)
            {
                _call.Execute(_arguments);
            }

            return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Iterations;
        }

        public (double LaunchNs, double LaunchWaitNs, double ReusedNs, double CallNs) Round()
        {
            long launch = 0, total = 0, reused = 0;
            for (var i = 0; i < Iterations; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var outputs = _executable.Launch(_arguments, out var done, _options);
                launch += Stopwatch.GetTimestamp() - t0;
                done?.Await();
                done?.Dispose();
                outputs[0].Dispose();
            }

            for (var i = 0; i < Iterations; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                _executable.Execute(_arguments, _options)[0].Dispose();
                total += Stopwatch.GetTimestamp() - t0;
            }

            for (var i = 0; i < Iterations; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                _call.Execute(_arguments);
                reused += Stopwatch.GetTimestamp() - t0;
            }

            // The fixed cost of one crossing into the plugin, timed as the C caller times it: a loop, one clock pair.
            var c0 = Stopwatch.GetTimestamp();
            long bytes = 0;
            for (var i = 0; i < Iterations; i++)
            {
                bytes += _x.OnDeviceSizeInBytes;
            }

            var call = Stopwatch.GetTimestamp() - c0;
            GC.KeepAlive(bytes);
            return (Nanoseconds(launch) / Iterations, Nanoseconds(total) / Iterations, Nanoseconds(reused) / Iterations, Nanoseconds(call) / Iterations);
        }

        public void Dispose()
        {
            _call.Dispose();
            _x.Dispose();
            _y.Dispose();
            _executable.Dispose();
            _client.Dispose();
        }
    }
}
