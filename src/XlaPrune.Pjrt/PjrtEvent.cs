using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A PJRT event the caller owns. Wait with <see cref="Await"/> (blocking) or <c>await</c> it (via
/// <c>PJRT_Event_OnReady</c>); an error carried by the event is thrown as <see cref="PjrtException"/>.
/// Dispose it when done waiting.
/// </summary>
public sealed unsafe class PjrtEvent : IDisposable
{
    private readonly PjrtHandle _handle;
    private Task? _completion;

    internal PjrtEvent(PjrtPlugin plugin, PJRT_Event* @event, SafeHandle? client)
    {
        _handle = PjrtHandle.Own(plugin, PjrtObjectKind.Event, @event, client);
    }

    private PjrtPlugin Plugin => _handle.Plugin;

    private PJRT_Event* Pointer => (PJRT_Event*)_handle.Pointer;

    /// <summary>Whether the event has completed (successfully or not).</summary>
    public bool IsReady
    {
        get
        {
            PJRT_Event_IsReady_Args args = default;
            args.struct_size = PJRT_Event_IsReady_Args.STRUCT_SIZE;
            args.@event = Pointer;
            Plugin.Require(&Plugin.Api->PJRT_Event_IsReady);
            Plugin.Check(Plugin.Api->PJRT_Event_IsReady(&args));
            return args.is_ready;
        }
    }

    /// <summary>Blocks until the event completes; throws the event's error if it has one.</summary>
    public void Await()
    {
        PJRT_Event_Await_Args args = default;
        args.struct_size = PJRT_Event_Await_Args.STRUCT_SIZE;
        args.@event = Pointer;
        Plugin.Require(&Plugin.Api->PJRT_Event_Await);
        Plugin.Check(Plugin.Api->PJRT_Event_Await(&args));
    }

    /// <summary>
    /// A task that completes with the event (faulted with <see cref="PjrtException"/> on error). Continuations never run on
    /// the plugin's thread. An event that is already complete (as every event of a synchronous plugin is) gives a finished
    /// task at once, without registering a callback.
    /// </summary>
    public Task AsTask()
    {
        if (_completion is null && IsReady)
        {
            try
            {
                Await();
                _completion = Task.CompletedTask;
            }
            catch (PjrtException e)
            {
                _completion = Task.FromException(e);
            }
        }

        if (_completion is null)
        {
            var state = new CallbackState(Plugin);
            var gcHandle = GCHandle.Alloc(state);
            PJRT_Event_OnReady_Args args = default;
            args.struct_size = PJRT_Event_OnReady_Args.STRUCT_SIZE;
            args.@event = Pointer;
            args.callback = &OnReady;
            args.user_arg = (void*)GCHandle.ToIntPtr(gcHandle);
            try
            {
                Plugin.Require(&Plugin.Api->PJRT_Event_OnReady);
                Plugin.Check(Plugin.Api->PJRT_Event_OnReady(&args));
            }
            catch
            {
                gcHandle.Free();
                throw;
            }

            _completion = state.Completion.Task;
        }

        return _completion;
    }

    /// <summary>
    /// Completes an event made by <see cref="PjrtPlugin.CreateEvent"/>: successfully when <paramref name="code"/> is
    /// <see cref="PjrtErrorCode.Ok"/>, else with that error and <paramref name="message"/>.
    /// </summary>
    public void Set(PjrtErrorCode code = PjrtErrorCode.Ok, string message = "")
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = System.Text.Encoding.UTF8.GetBytes(message);
        fixed (byte* text = bytes)
        {
            PJRT_Event_Set_Args args = default;
            args.struct_size = PJRT_Event_Set_Args.STRUCT_SIZE;
            args.@event = Pointer;
            args.error_code = (PJRT_Error_Code)code;
            args.error_message = text;
            args.error_message_size = (nuint)bytes.Length;
            Plugin.Require(&Plugin.Api->PJRT_Event_Set);
            Plugin.Check(Plugin.Api->PJRT_Event_Set(&args));
        }
    }

    /// <summary>Lets <c>await pjrtEvent</c> work.</summary>
    public TaskAwaiter GetAwaiter() => AsTask().GetAwaiter();

    /// <summary>
    /// Destroys the native event. If an <see cref="AsTask"/> wait is still pending, destruction waits for the
    /// plugin's callback, so the plugin never calls back about an event it no longer has.
    /// </summary>
    public void Dispose()
    {
        if (_completion is { IsCompleted: false } pending)
        {
            pending.ContinueWith(static (_, handle) => ((PjrtHandle)handle!).Dispose(), _handle,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            _handle.Dispose();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnReady(PJRT_Error* error, void* userArg)
    {
        // Runs on a plugin thread: never throw from here.
        var gcHandle = GCHandle.FromIntPtr((nint)userArg);
        var state = (CallbackState)gcHandle.Target!;
        gcHandle.Free();
        try
        {
            if (error == null)
            {
                state.Completion.TrySetResult();
            }
            else
            {
                state.Completion.TrySetException(state.Plugin.TakeError(error));
            }
        }
#pragma warning disable CA1031 // A callback from native code must not let any exception escape.
        catch (Exception e)
#pragma warning restore CA1031
        {
            state.Completion.TrySetException(e);
        }
    }

    private sealed class CallbackState(PjrtPlugin plugin)
    {
        public PjrtPlugin Plugin { get; } = plugin;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
