namespace XlaPrune.Pjrt.Tests;

/// <summary>
/// <see cref="PjrtExecuteCall"/>: the prepared execute call that reuses its tables and output holders. Values come from
/// the f32[2,3] add program; allocation is read with <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
public sealed class ExecuteCallTests : IDisposable
{
    private static readonly float[] s_x = [1, 2, 3, 4, 5, 6];
    private static readonly float[] s_y = [10, 20, 30, 40, 50, 60];
    private static readonly float[] s_sum = [11, 22, 33, 44, 55, 66];
    private static readonly float[] s_xPlus4Y = [41, 82, 123, 164, 205, 246];
    private static readonly float[] s_twoX = [2, 4, 6, 8, 10, 12];

    private readonly PjrtPlugin _plugin;
    private readonly PjrtClient _client;
    private readonly PjrtLoadedExecutable _executable;
    private readonly PjrtBuffer _x;
    private readonly PjrtBuffer _y;

    public ExecuteCallTests()
    {
        NativeLinkCheck.RequireFullyLinked(Path.Combine(AppContext.BaseDirectory, "libxlaprune_pjrt_cpu.so"));
        _plugin = PjrtPlugin.Load("cpu");
        _client = _plugin.CreateClient();
        _executable = _client.CompileHlo(HloTestModules.AddF32x2x3());
        _x = _client.BufferFromHost<float>(s_x, [2, 3]);
        _y = _client.BufferFromHost<float>(s_y, [2, 3]);
    }

    public void Dispose()
    {
        _x.Dispose();
        _y.Dispose();
        _executable.Dispose();
        _client.Dispose();
        Assert.Equal(0, PjrtDiagnostics.LiveObjects);
    }

    [Fact]
    public void Steady_state_calls_allocate_no_managed_bytes_and_reuse_the_output_holder()
    {
        using var call = _executable.PrepareExecute(ExecuteOptions.NoDonation(2));
        PjrtBuffer[] arguments = [_x, _y];
        var holder = call.Execute(arguments)[0];
        for (var i = 0; i < 100; i++)
        {
            call.Execute(arguments); // warm-up: tiered compilation, static initialisers
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            call.Execute(arguments);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var output = Assert.Single(call.Outputs);
        Assert.Same(holder, output);
        Assert.Equal(s_sum, output.ToArray<float>());

        // Each call destroyed the output before it: the two arguments and one output are all that live.
        Assert.Equal(3, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
        Assert.Equal(0, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Event));
    }

    [Fact]
    public void An_output_fed_back_as_an_argument_accumulates()
    {
        using var call = _executable.PrepareExecute(ExecuteOptions.NoDonation(2));
        call.Execute(_x, _y);
        for (var i = 0; i < 3; i++)
        {
            call.Execute(call.Outputs[0], _y); // the holder is an argument and then takes the result
        }

        // x + 4 y
        Assert.Equal(s_xPlus4Y, call.Outputs[0].ToArray<float>());
        Assert.Equal(3, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
    }

    [Fact]
    public void Dispose_destroys_the_last_outputs()
    {
        var call = _executable.PrepareExecute();
        var output = call.Execute(_x, _y)[0];
        Assert.Equal(3, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
        call.Dispose();
        Assert.Equal(2, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
        Assert.Throws<ObjectDisposedException>(() => output.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => call.Execute(_x, _y));
        call.Dispose(); // a second dispose does nothing
    }

    [Fact]
    public void A_holder_the_caller_disposed_is_replaced_on_the_next_call()
    {
        using var call = _executable.PrepareExecute();
        var first = call.Execute(_x, _y)[0];
        first.Dispose();
        var second = call.Execute(_x, _x)[0];
        Assert.NotSame(first, second);
        Assert.Equal(s_twoX, second.ToArray<float>());
        Assert.Equal(3, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
    }

    [Fact]
    public void A_failed_call_throws_and_keeps_the_previous_outputs()
    {
        using var call = _executable.PrepareExecute();
        call.Execute(_x, _y);
        var error = Assert.Throws<PjrtException>(() => call.Execute(_x));
        Assert.Equal(PjrtErrorCode.InvalidArgument, error.Code);
        Assert.Equal(s_sum, call.Outputs[0].ToArray<float>());
        Assert.Equal(3, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
    }

    [Fact]
    public void Bad_arguments_are_named_before_any_native_call()
    {
        using var call = _executable.PrepareExecute(ExecuteOptions.NoDonation(2));
        Assert.Throws<InvalidOperationException>(() => call.Outputs);
        var nullArgument = Assert.Throws<ArgumentException>(() => call.Execute(_x, null!));
        Assert.StartsWith("Argument 1 is null.", nullArgument.Message, StringComparison.Ordinal);
        var indices = Assert.Throws<ArgumentException>(() => call.Execute(_x));
        Assert.StartsWith("Non-donatable input indices [0,1] must lie in [0, 1).", indices.Message, StringComparison.Ordinal);
        Assert.Equal(2, PjrtDiagnostics.LiveObjectsOf(PjrtObjectKind.Buffer));
    }
}
