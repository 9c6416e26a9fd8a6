namespace XlaPrune.Pjrt.Tests;

/// <summary>
/// The per-call cost of <see cref="PjrtLoadedExecutable.Execute"/> and <see cref="PjrtLoadedExecutable.Launch"/> on the
/// managed side: what a steady-state call allocates, and the launch-only path that hands back the completion event.
/// </summary>
public sealed class ExecuteCostTests : IDisposable
{
    private const int Calls = 1000;

    // Bytes a 64-bit runtime allocates for the three objects every one-output Execute must return:
    //   PjrtBuffer[1]: 16 (object header + method table) + 8 (length) + 8 (one reference)            = 32
    //   PjrtBuffer:    16 + two references (client, handle)                                          = 32
    //   PjrtHandle:    16 + SafeHandle's handle (8), state (4) and two flags (2) + the parent and
    //                  plugin references (16) and the object kind (4) = 34 bytes of fields, padded to 40 = 56
    // Anything more (an argument table, a LINQ enumerator, a wrapper for the completion event, a closure) would
    // show up as extra bytes per call.
    private const long BytesPerOneOutputCall = 32 + 32 + 56;

    private static readonly float[] s_x = [1, 2, 3, 4, 5, 6];
    private static readonly float[] s_y = [10, 20, 30, 40, 50, 60];
    private static readonly float[] s_sum = [11, 22, 33, 44, 55, 66];

    private readonly PjrtPlugin _plugin;

    public ExecuteCostTests()
    {
        NativeLinkCheck.RequireFullyLinked(Path.Combine(AppContext.BaseDirectory, "libxlaprune_pjrt_cpu.so"));
        _plugin = PjrtPlugin.Load("cpu");
    }

    public void Dispose() => Assert.Equal(0, PjrtDiagnostics.LiveObjects);

    [Fact]
    public void Steady_state_execute_and_wait_allocates_only_the_returned_output()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        using var x = client.BufferFromHost<float>(s_x, [2, 3]);
        using var y = client.BufferFromHost<float>(s_y, [2, 3]);
        PjrtBuffer[] arguments = [x, y];
        var options = ExecuteOptions.NoDonation(2);
        for (var i = 0; i < 10; i++)
        {
            // The first calls ask the plugin for the output count once and run static initializers.
            executable.Execute(arguments, options)[0].Dispose();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            executable.Execute(arguments, options)[0].Dispose();
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
        Assert.True(perCall <= BytesPerOneOutputCall, $"Execute + wait + dispose allocated {perCall} bytes per call, expected at most {BytesPerOneOutputCall}");

        var outputs = executable.Execute(arguments, options);
        using var sum = Assert.Single(outputs);
        Assert.Equal(s_sum, sum.ToArray<float>());
    }

    [Fact]
    public void Steady_state_execute_with_default_options_allocates_the_same()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        using var x = client.BufferFromHost<float>(s_x, [2, 3]);
        using var y = client.BufferFromHost<float>(s_y, [2, 3]);
        IReadOnlyList<PjrtBuffer> arguments = [x, y];
        executable.Execute(arguments)[0].Dispose();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            executable.Execute(arguments)[0].Dispose();
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
        Assert.True(perCall <= BytesPerOneOutputCall, $"Execute with default options allocated {perCall} bytes per call, expected at most {BytesPerOneOutputCall}");
    }

    [Fact]
    public void Launch_hands_back_outputs_and_a_completion_event()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        using var x = client.BufferFromHost<float>(s_x, [2, 3]);
        using var y = client.BufferFromHost<float>(s_y, [2, 3]);
        var outputs = executable.Launch([x, y], out var done, ExecuteOptions.NoDonation(2));
        using var sum = Assert.Single(outputs);
        Assert.NotNull(done);
        using (done)
        {
            Assert.Equal(1, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Event));
            done.Await();
            Assert.True(done.IsReady);
        }

        Assert.Equal(0, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Event));
        Assert.Equal(s_sum, sum.ToArray<float>());
    }

    [Fact]
    public void Execute_leaves_no_event_or_argument_reference_behind()
    {
        using var client = _plugin.CreateClient();
        using var executable = client.CompileHlo(HloTestModules.AddF32x2x3());
        var x = client.BufferFromHost<float>(s_x, [2, 3]);
        using var y = client.BufferFromHost<float>(s_y, [2, 3]);
        executable.Execute([x, y], ExecuteOptions.NoDonation(2))[0].Dispose();
        Assert.Equal(0, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Event));

        // Every reference Execute took on its arguments was returned: disposing destroys the buffer at once.
        x.Dispose();
        Assert.Equal(1, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
        Assert.Throws<ObjectDisposedException>(() => executable.Execute([x, y]));
        Assert.Equal(1, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
    }

    [Fact]
    public async Task A_completed_event_gives_a_completed_task_at_once()
    {
        using var done = _plugin.CreateEvent();
        done.Set();
        var task = done.AsTask();
        Assert.True(task.IsCompletedSuccessfully);
        Assert.Same(task, done.AsTask());
        await task;

        using var failed = _plugin.CreateEvent();
        failed.Set(PjrtErrorCode.Aborted, "stopped");
        var failedTask = failed.AsTask();
        Assert.True(failedTask.IsFaulted);
        var error = await Assert.ThrowsAsync<PjrtException>(() => failedTask);
        Assert.Equal(PjrtErrorCode.Aborted, error.Code);
        Assert.Equal("stopped", error.Message);
    }
}
