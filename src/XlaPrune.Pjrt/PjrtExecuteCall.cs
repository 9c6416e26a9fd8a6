using System.Collections.ObjectModel;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// An execute call on one device (the executable's first), prepared once and made again and again without managed
/// allocations: its argument and output tables are arrays allocated once, and every call hands its outputs back in the
/// same <see cref="PjrtBuffer"/> holders. Made by <see cref="PjrtLoadedExecutable.PrepareExecute"/>.
/// </summary>
/// <remarks>
/// <para>The holders own the latest call's outputs. The next <see cref="Execute"/> destroys them once its own run has
/// finished, so they may be that call's arguments (a training loop feeding its state back). To keep a result beyond the
/// next call, copy it to the host or use <see cref="PjrtLoadedExecutable.Execute"/>, whose outputs the caller owns.
/// <see cref="Dispose"/> destroys the last outputs.</para>
/// <para>One thread at a time: a call made while another is running on the same object throws
/// <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed unsafe class PjrtExecuteCall : IDisposable
{
    private readonly PjrtLoadedExecutable _executable;
    private readonly ExecuteOptions _options;
    private readonly int _outputCount;
    private readonly PjrtBuffer[] _outputs;
    private readonly ReadOnlyCollection<PjrtBuffer> _view;

    // Argument row, then output row, then the completion event: only read by the plugin during a call.
    private nint[] _cells;
    private int _argumentCapacity = -1;
    private int _checkedArgumentCount = -1; // the options' indices were checked against this many arguments
    private bool _hasOutputs;
    private int _busy;
    private bool _disposed;

    internal PjrtExecuteCall(PjrtLoadedExecutable executable, ExecuteOptions options)
    {
        _executable = executable;
        _options = options;
        _outputCount = executable.OutputCount;
        _outputs = new PjrtBuffer[_outputCount];
        _view = new ReadOnlyCollection<PjrtBuffer>(_outputs);
        _cells = [];
    }

    /// <summary>The executable this call runs.</summary>
    public PjrtLoadedExecutable Executable => _executable;

    /// <summary>
    /// The latest call's outputs, one per program output, in the same holders every call. Valid until the next
    /// <see cref="Execute"/> or <see cref="Dispose"/>; do not dispose them (a disposed holder is replaced by a new one).
    /// </summary>
    /// <exception cref="InvalidOperationException">No call has completed yet.</exception>
    public IReadOnlyList<PjrtBuffer> Outputs => _hasOutputs
        ? _view
        : throw new InvalidOperationException("PjrtExecuteCall.Outputs: no call has completed yet; call Execute first.");

    /// <summary>Runs the program on <paramref name="arguments"/> and waits for completion.</summary>
    /// <param name="arguments">One buffer per entry parameter (may include this call's own <see cref="Outputs"/>). Unless the
    /// call's options say otherwise, a buffer the program aliases to an output may be donated.</param>
    /// <returns><see cref="Outputs"/>, now holding this call's results.</returns>
    /// <remarks>After the first call (and any call with more arguments than before) this allocates no managed memory.
    /// If the run fails, its outputs are destroyed, the exception is thrown, and the holders keep the previous results.</remarks>
    public IReadOnlyList<PjrtBuffer> Execute(params ReadOnlySpan<PjrtBuffer> arguments)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("PjrtExecuteCall.Execute: another call on this object is running; use one object per thread.");
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var argumentCount = arguments.Length;
            if (argumentCount != _checkedArgumentCount)
            {
                PjrtLoadedExecutable.CheckNonDonatable(_options, argumentCount);
                _checkedArgumentCount = argumentCount;
            }

            if (argumentCount > _argumentCapacity)
            {
                _cells = new nint[argumentCount + _outputCount + 1];
                _argumentCapacity = argumentCount;
            }

            fixed (nint* cells = _cells)
            {
                var argumentRow = (PJRT_Buffer**)cells;
                var outputRow = argumentRow + argumentCount;
                var done = (PJRT_Event**)(outputRow + _outputCount);
                new Span<nint>(outputRow, _outputCount + 1).Clear();
                Run(arguments, argumentRow, outputRow, done);
                Await(outputRow, done);
                TakeOutputs(outputRow);
            }

            _hasOutputs = true;
            return _view;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Destroys the last call's outputs. The executable stays with its owner.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var output in _outputs)
        {
            output?.Dispose();
        }
    }

    // Leases every argument for the duration of the launch (a concurrent Dispose cannot free a buffer being read).
    private void Run(ReadOnlySpan<PjrtBuffer> arguments, PJRT_Buffer** argumentRow, PJRT_Buffer** outputRow, PJRT_Event** done)
    {
        var leased = 0;
        try
        {
            for (var a = 0; a < arguments.Length; a++)
            {
                var handle = (arguments[a] ?? throw new ArgumentException($"Argument {a} is null.", nameof(arguments))).Handle;
                var added = false;
                handle.DangerousAddRef(ref added);
                leased++;
                argumentRow[a] = (PJRT_Buffer*)handle.DangerousGetHandle();
            }

            _executable.CallExecute(&argumentRow, &outputRow, done, 1, arguments.Length, _outputCount, _options);
        }
        finally
        {
            for (var a = 0; a < leased; a++)
            {
                arguments[a].Handle.DangerousRelease();
            }
        }
    }

    private void Await(PJRT_Buffer** outputRow, PJRT_Event** done)
    {
        if (*done == null)
        {
            return;
        }

        var failure = _executable.Plugin.AwaitAndDestroy(*done);
        *done = null;
        if (failure is null)
        {
            return;
        }

        DestroyOutputs(outputRow);
        throw failure;
    }

    private void DestroyOutputs(PJRT_Buffer** outputRow)
    {
        for (var o = 0; o < _outputCount; o++)
        {
            if (outputRow[o] != null)
            {
                _executable.Plugin.Destroy(PjrtObjectKind.Buffer, outputRow[o]);
                outputRow[o] = null;
            }
        }
    }

    // Moves the new outputs into the holders; each holder destroys the output it held before.
    private void TakeOutputs(PJRT_Buffer** outputRow)
    {
        for (var o = 0; o < _outputCount; o++)
        {
            if (outputRow[o] == null)
            {
                DestroyOutputs(outputRow);
                throw new PjrtException(PjrtErrorCode.Internal, $"PJRT_LoadedExecutable_Execute succeeded but handed back no buffer for output {o}.");
            }
        }

        var client = _executable.Client;
        for (var o = 0; o < _outputCount; o++)
        {
            var pointer = outputRow[o];
            outputRow[o] = null;
            var holder = _outputs[o];
            if (holder is null || holder.Handle.IsClosed)
            {
                _outputs[o] = new PjrtBuffer(client, PjrtHandle.Own(client.Plugin, PjrtObjectKind.Buffer, pointer, client.Handle));
            }
            else
            {
                holder.Handle.Reseat(pointer);
            }
        }
    }
}
