using System.Globalization;

namespace XlaPrune.Pjrt.Tests;

/// <summary>Eight threads compile and execute on one shared client through the managed layer.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private const int Threads = 8;
    private const int ExecutionsPerThread = 250;

    private readonly PjrtPlugin _plugin;

    public ConcurrencyTests()
    {
        NativeLinkCheck.RequireFullyLinked(Path.Combine(AppContext.BaseDirectory, "libxlaprune_pjrt_cpu.so"));
        _plugin = PjrtPlugin.Load("cpu");
    }

    public void Dispose() => Assert.Equal(0, PjrtDiagnostics.LiveObjects);

    [Fact]
    public void Eight_threads_compile_distinct_programs_and_execute_them_on_one_client_with_exact_results()
    {
        using var client = _plugin.CreateClient();
        using var go = new Barrier(Threads);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var executions = new int[Threads];

        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                // Thread t: f32[t+1, 5] + (t + 1) * 100, a program no other thread compiles.
                var rows = t + 1;
                var k = (t + 1) * 100f;
                go.SignalAndWait(); // all eight compile at once
                using var executable = client.CompileHlo(ConstantAddModule.Build(rows, 5, k));
                go.SignalAndWait(); // and then all execute at once
                var input = new float[rows * 5];
                for (var i = 0; i < ExecutionsPerThread; i++)
                {
                    for (var j = 0; j < input.Length; j++)
                    {
                        input[j] = (i * 1000) + (t * 10) + j;
                    }

                    using var x = client.BufferFromHost<float>(input, [rows, 5]);
                    using var y = Assert.Single(executable.Execute([x], ExecuteOptions.NoDonation(1)));
                    if (!y.Dimensions.SequenceEqual([rows, 5L]))
                    {
                        failures.Enqueue($"thread {t} run {i}: dims [{string.Join(",", y.Dimensions)}]");
                    }

                    var result = y.ToArray<float>();
                    for (var j = 0; j < input.Length; j++)
                    {
                        if (result[j] != input[j] + k)
                        {
                            failures.Enqueue(string.Create(CultureInfo.InvariantCulture, $"thread {t} run {i} element {j}: {result[j]}, expected {input[j] + k}"));
                        }
                    }

                    executions[t]++;
                }
            }
            catch (Exception e) when (e is PjrtException or InvalidOperationException or ArgumentException or Xunit.Sdk.XunitException)
            {
                failures.Enqueue($"thread {t}: {e.GetType().Name}: {e.Message}");
                go.RemoveParticipant();
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(failures);
        Assert.All(executions, n => Assert.Equal(ExecutionsPerThread, n));
        // Only the shared client is left alive once every thread has disposed its objects.
        Assert.Equal(1, PjrtDiagnostics.LiveObjects);
    }
}
