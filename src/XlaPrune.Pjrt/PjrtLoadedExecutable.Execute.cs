using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

// The execute path: one device or several, waiting or not; the argument and output tables and their clean-up.
public sealed unsafe partial class PjrtLoadedExecutable
{
    /// <summary>Runs on one device (the executable's first) and waits for completion.</summary>
    /// <param name="arguments">One buffer per entry parameter. Unless <paramref name="options"/> says otherwise, a buffer the
    /// program aliases to an output may be donated (then it reports <see cref="PjrtBuffer.IsDeleted"/>).</param>
    /// <param name="options">Donation control and launch id.</param>
    /// <returns>One new buffer per output; the caller owns and disposes them.</returns>
    /// <remarks>
    /// A steady-state call allocates only what it returns (the array, and per output a <see cref="PjrtBuffer"/> and its
    /// handle): argument and output tables live on the stack and the completion event is awaited and destroyed
    /// without a managed wrapper.
    /// </remarks>
    public PjrtBuffer[] Execute(IReadOnlyList<PjrtBuffer> arguments, ExecuteOptions? options = null)
    {
        PJRT_Event* done = null;
        var outputs = LaunchOnFirstDevice(arguments, options, &done);
        if (done != null)
        {
            var failure = Plugin.AwaitAndDestroy(done);
            if (failure is not null)
            {
                DisposeAll(outputs);
                throw failure;
            }
        }

        return outputs;
    }

    /// <summary>
    /// Starts a run on one device (the executable's first) and returns without waiting for it to finish.
    /// </summary>
    /// <param name="arguments">As for <see cref="Execute"/>; they must stay alive until <paramref name="done"/> completes.</param>
    /// <param name="done">Completes when the run has finished (with the run's error, if any); null when the plugin
    /// reports no event, in which case the run is already complete. The caller owns and disposes it.</param>
    /// <param name="options">Donation control and launch id.</param>
    /// <returns>One new buffer per output, valid to read once <paramref name="done"/> completes; the caller owns and
    /// disposes them.</returns>
    public PjrtBuffer[] Launch(IReadOnlyList<PjrtBuffer> arguments, out PjrtEvent? done, ExecuteOptions? options = null)
    {
        PJRT_Event* @event = null;
        var outputs = LaunchOnFirstDevice(arguments, options, &@event);
        done = @event == null ? null : new PjrtEvent(Plugin, @event, _client.Handle);
        return outputs;
    }

    /// <summary>
    /// Prepares a one-device execute call that can be made again and again without managed allocations, handing back its
    /// outputs in the same holders every call (see <see cref="PjrtExecuteCall"/>).
    /// </summary>
    /// <param name="options">Donation control and launch id, fixed for every call.</param>
    /// <returns>A call object the caller owns; disposing it destroys the last call's outputs.</returns>
    public PjrtExecuteCall PrepareExecute(ExecuteOptions? options = null)
    {
        _ = Pointer;
        return new PjrtExecuteCall(this, options ?? ExecuteOptions.Default);
    }

    /// <summary>Runs on several devices at once (replicas or partitions) and waits for completion.</summary>
    /// <param name="argumentsPerDevice">For each device, in <see cref="AddressableDevices"/> order, one buffer per parameter.</param>
    /// <param name="options">Donation control and launch id.</param>
    /// <returns>For each device, one new buffer per output; the caller owns and disposes them.</returns>
    public PjrtBuffer[][] ExecuteSharded(IReadOnlyList<IReadOnlyList<PjrtBuffer>> argumentsPerDevice, ExecuteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(argumentsPerDevice);
        options ??= ExecuteOptions.Default;
        var devices = argumentsPerDevice.Count;
        if (devices == 0)
        {
            throw new ArgumentException("Execute needs the arguments of at least one device.", nameof(argumentsPerDevice));
        }

        var argumentCount = (argumentsPerDevice[0] ?? throw new ArgumentException("The arguments of device 0 are null.", nameof(argumentsPerDevice))).Count;
        for (var d = 1; d < devices; d++)
        {
            if (argumentsPerDevice[d] is not { } list || list.Count != argumentCount)
            {
                throw new ArgumentException("Every device must get the same number of arguments.", nameof(argumentsPerDevice));
            }
        }

        CheckNonDonatable(options, argumentCount);
        var outputs = OutputCount;

        // One native block: argument cells, output cells, the two row tables, and the events.
        var cells = devices * (argumentCount + outputs);
        var words = cells + (devices * 3);
        var block = (nint*)NativeMemory.AllocZeroed((nuint)words, (nuint)sizeof(nint));
        var argumentCells = (PJRT_Buffer**)block;
        var outputCells = argumentCells + (devices * argumentCount);
        var argumentRows = (PJRT_Buffer***)(block + cells);
        var outputRows = argumentRows + devices;
        var events = (PJRT_Event**)(outputRows + devices);
        try
        {
            var leasedDevices = 0;
            var leasedInLast = 0;
            try
            {
                for (var d = 0; d < devices; d++)
                {
                    argumentRows[d] = argumentCells + (d * argumentCount);
                    outputRows[d] = outputCells + (d * outputs);
                    leasedInLast = 0;
                    leasedDevices = d + 1;
                    Lease(argumentsPerDevice[d], argumentRows[d], ref leasedInLast, d);
                }

                CallExecute(argumentRows, outputRows, events, devices, argumentCount, outputs, options);
            }
            finally
            {
                for (var d = 0; d < leasedDevices; d++)
                {
                    Release(argumentsPerDevice[d], d == leasedDevices - 1 ? leasedInLast : argumentCount);
                }
            }

            var result = new PjrtBuffer[devices][];
            for (var d = 0; d < devices; d++)
            {
                result[d] = WrapOutputs(outputRows[d], outputs);
            }

            PjrtException? failure = null;
            for (var d = 0; d < devices; d++)
            {
                if (events[d] != null)
                {
                    var error = Plugin.AwaitAndDestroy(events[d]);
                    events[d] = null;
                    failure ??= error;
                }
            }

            if (failure is not null)
            {
                foreach (var row in result)
                {
                    DisposeAll(row);
                }

                throw failure;
            }

            return result;
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    // Up to this many argument plus output pointers, the tables of a one-device launch live on the stack.
    private const int StackCells = 64;

    [SkipLocalsInit]
    private PjrtBuffer[] LaunchOnFirstDevice(IReadOnlyList<PjrtBuffer> arguments, ExecuteOptions? options, PJRT_Event** done)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        options ??= ExecuteOptions.Default;
        var argumentCount = arguments.Count;
        CheckNonDonatable(options, argumentCount);
        var outputs = OutputCount;
        var cells = argumentCount + outputs;
        var stack = stackalloc nint[StackCells];
        var block = cells <= StackCells ? stack : (nint*)NativeMemory.Alloc((nuint)cells, (nuint)sizeof(nint));
        try
        {
            var argumentRow = (PJRT_Buffer**)block;
            var outputRow = argumentRow + argumentCount;
            new Span<nint>(outputRow, outputs).Clear();
            var leased = 0;
            try
            {
                Lease(arguments, argumentRow, ref leased, 0);
                CallExecute(&argumentRow, &outputRow, done, 1, argumentCount, outputs, options);
            }
            finally
            {
                Release(arguments, leased);
            }

            return WrapOutputs(outputRow, outputs);
        }
        finally
        {
            if (block != stack)
            {
                NativeMemory.Free(block);
            }
        }
    }

    // Holds a reference on every argument's handle for the duration of the call, so a concurrent Dispose cannot free a
    // buffer the plugin is reading; `leased` counts the references taken, for Release.
    private static void Lease(IReadOnlyList<PjrtBuffer> arguments, PJRT_Buffer** row, ref int leased, int device)
    {
        var count = arguments.Count;
        for (var a = 0; a < count; a++)
        {
            var handle = (arguments[a] ?? throw new ArgumentException($"Argument {a} of device {device} is null.", nameof(arguments))).Handle;
            var added = false;
            handle.DangerousAddRef(ref added);
            leased++;
            row[a] = (PJRT_Buffer*)handle.DangerousGetHandle();
        }
    }

    private static void Release(IReadOnlyList<PjrtBuffer> arguments, int leased)
    {
        for (var a = 0; a < leased; a++)
        {
            arguments[a].Handle.DangerousRelease();
        }
    }

    internal static void CheckNonDonatable(ExecuteOptions options, int argumentCount)
    {
        foreach (var index in options.NonDonatableIndices)
        {
            if (index < 0 || index >= argumentCount)
            {
                throw new ArgumentException(
                    $"Non-donatable input indices [{string.Join(",", options.NonDonatableInputIndices)}] must lie in [0, {argumentCount}).", nameof(options));
            }
        }
    }

    // PJRT_LoadedExecutable_Execute over prepared tables; on error, destroys whatever the plugin handed back and throws.
    // Never inlined: callers run it inside try regions, where the JIT may not inline the native call's transition.
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void CallExecute(PJRT_Buffer*** argumentRows, PJRT_Buffer*** outputRows, PJRT_Event** events, int devices, int argumentCount, int outputs, ExecuteOptions options)
    {
        fixed (long* nonDonatable = options.NonDonatableIndices)
        {
            PJRT_ExecuteOptions executeOptions = default;
            executeOptions.struct_size = PJRT_ExecuteOptions.STRUCT_SIZE;
            executeOptions.launch_id = options.LaunchId;
            executeOptions.non_donatable_input_indices = nonDonatable;
            executeOptions.num_non_donatable_input_indices = (nuint)options.NonDonatableIndices.Length;

            PJRT_LoadedExecutable_Execute_Args args = default;
            args.struct_size = PJRT_LoadedExecutable_Execute_Args.STRUCT_SIZE;
            args.executable = Pointer;
            args.options = &executeOptions;
            args.argument_lists = argumentRows;
            args.num_devices = (nuint)devices;
            args.num_args = (nuint)argumentCount;
            args.output_lists = outputRows;
            args.device_complete_events = events;
            Plugin.Require(&Api->PJRT_LoadedExecutable_Execute);
            var error = Api->PJRT_LoadedExecutable_Execute(&args);
            if (error != null)
            {
                DestroyPartialResults(outputRows, events, devices, outputs);
                throw Plugin.TakeError(error);
            }
        }
    }

    private PjrtBuffer[] WrapOutputs(PJRT_Buffer** row, int outputs)
    {
        var result = new PjrtBuffer[outputs];
        for (var o = 0; o < outputs; o++)
        {
            result[o] = new PjrtBuffer(_client, PjrtHandle.Own(Plugin, PjrtObjectKind.Buffer, row[o], _client.Handle));
            row[o] = null;
        }

        return result;
    }

    private static void DisposeAll(PjrtBuffer[] buffers)
    {
        foreach (var buffer in buffers)
        {
            buffer.Dispose();
        }
    }

    private void DestroyPartialResults(PJRT_Buffer*** outputRows, PJRT_Event** events, int devices, int outputs)
    {
        for (var d = 0; d < devices; d++)
        {
            for (var o = 0; o < outputs; o++)
            {
                if (outputRows[d][o] != null)
                {
                    Plugin.Destroy(PjrtObjectKind.Buffer, outputRows[d][o]);
                    outputRows[d][o] = null;
                }
            }

            if (events[d] != null)
            {
                Plugin.Destroy(PjrtObjectKind.Event, events[d]);
                events[d] = null;
            }
        }
    }
}
