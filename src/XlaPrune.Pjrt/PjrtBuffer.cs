using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// A device buffer the caller owns (a <c>PJRT_Buffer</c>). Dispose it to free device memory; it keeps its
/// client's native object alive until then.
/// </summary>
public sealed unsafe class PjrtBuffer : IDisposable
{
    private readonly PjrtClient _client;
    private readonly PjrtHandle _handle;

    internal PjrtBuffer(PjrtClient client, PjrtHandle handle)
    {
        _client = client;
        _handle = handle;
    }

    /// <summary>The client that created the buffer.</summary>
    public PjrtClient Client => _client;

    internal PjrtHandle Handle => _handle;

    internal PJRT_Buffer* Pointer => (PJRT_Buffer*)_handle.Pointer;

    private PjrtPlugin Plugin => _client.Plugin;

    private PJRT_Api* Api => _client.Api;

    /// <summary>Element type.</summary>
    public PjrtElementType ElementType
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Buffer_ElementType, new PJRT_Buffer_ElementType_Args { buffer = Pointer });
            return (PjrtElementType)args.type;
        }
    }

    /// <summary>Logical dimensions.</summary>
    public long[] Dimensions
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Buffer_Dimensions, new PJRT_Buffer_Dimensions_Args { buffer = Pointer });
            return NativeText.ReadInt64s(args.dims, args.num_dims);
        }
    }

    /// <summary>Dimensions without dynamic padding (equal to <see cref="Dimensions"/> for static shapes).</summary>
    public long[] UnpaddedDimensions
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Buffer_UnpaddedDimensions, new PJRT_Buffer_UnpaddedDimensions_Args { buffer = Pointer });
            return NativeText.ReadInt64s(args.unpadded_dims, args.num_dims);
        }
    }

    /// <summary>Indices of dynamic dimensions (empty for static shapes).</summary>
    public long[] DynamicDimensionIndices
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Buffer_DynamicDimensionIndices, new PJRT_Buffer_DynamicDimensionIndices_Args { buffer = Pointer });
            var result = new long[(int)args.num_dynamic_dims];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (long)args.dynamic_dim_indices[i];
            }

            return result;
        }
    }

    /// <summary>Bytes the buffer occupies on the device, padding included.</summary>
    public long OnDeviceSizeInBytes
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Buffer_OnDeviceSizeInBytes, new PJRT_Buffer_OnDeviceSizeInBytes_Args { buffer = Pointer });
            return (long)args.on_device_size_in_bytes;
        }
    }

    /// <summary>The device holding the buffer.</summary>
    public PjrtDevice Device
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Buffer_Device, new PJRT_Buffer_Device_Args { buffer = Pointer });
            return _client.DeviceFor(args.device);
        }
    }

    /// <summary>The memory holding the buffer.</summary>
    public PjrtMemory Memory
    {
        get
        {
            var args = Plugin.Call(&Api->PJRT_Buffer_Memory, new PJRT_Buffer_Memory_Args { buffer = Pointer });
            return _client.MemoryFor(args.memory);
        }
    }

    /// <summary>Whether the device memory was released by <see cref="Delete"/> or by donation to an execution.</summary>
    public bool IsDeleted => Plugin.Call(&Api->PJRT_Buffer_IsDeleted, new PJRT_Buffer_IsDeleted_Args { buffer = Pointer }).is_deleted;

    /// <summary>Whether the data lives in host memory the CPU can read directly.</summary>
    public bool IsOnCpu => Plugin.Call(&Api->PJRT_Buffer_IsOnCpu, new PJRT_Buffer_IsOnCpu_Args { buffer = Pointer }).is_on_cpu;

    /// <summary>Frees the device memory now; the object stays until disposed and reports <see cref="IsDeleted"/>.</summary>
    public void Delete()
    {
        Plugin.Call(&Api->PJRT_Buffer_Delete, new PJRT_Buffer_Delete_Args { buffer = Pointer });
    }

    /// <summary>The device layout: minor-to-major order and tiles, or byte strides.</summary>
    public PjrtMemoryLayout GetMemoryLayout()
    {
        var args = Plugin.Call(&Api->PJRT_Buffer_GetMemoryLayout, new PJRT_Buffer_GetMemoryLayout_Args { buffer = Pointer });
        var layout = args.layout;
        if (layout.type == PJRT_Buffer_MemoryLayout_Type.PJRT_Buffer_MemoryLayout_Type_Strides)
        {
            return new PjrtMemoryLayout(PjrtLayoutKind.Strides, [], [], NativeText.ReadInt64s(layout.strides.byte_strides, layout.strides.num_byte_strides));
        }

        var tiled = layout.tiled;
        var tiles = new List<long[]>();
        long* next = tiled.tile_dims;
        for (nuint i = 0; i < tiled.num_tiles; i++)
        {
            var size = tiled.tile_dim_sizes[i];
            tiles.Add(NativeText.ReadInt64s(next, size));
            next += size;
        }

        return new PjrtMemoryLayout(PjrtLayoutKind.Tiled, NativeText.ReadInt64s(tiled.minor_to_major, tiled.minor_to_major_size), tiles, []);
    }

    /// <summary>An event that completes when the buffer's data is ready. The caller owns and disposes it.</summary>
    public PjrtEvent ReadyEvent()
    {
        PJRT_Buffer_ReadyEvent_Args args = default;
        args.struct_size = PJRT_Buffer_ReadyEvent_Args.STRUCT_SIZE;
        args.buffer = Pointer;
        Plugin.Require(&Api->PJRT_Buffer_ReadyEvent);
        Plugin.Check(Api->PJRT_Buffer_ReadyEvent(&args), PjrtObjectKind.Event, args.@event);
        return new PjrtEvent(Plugin, args.@event, _client.Handle);
    }

    /// <summary>Bytes needed to hold the buffer on the host in its own (dense) layout.</summary>
    public long HostSizeInBytes => (long)Plugin.Call(&Api->PJRT_Buffer_ToHostBuffer, new PJRT_Buffer_ToHostBuffer_Args { src = Pointer }).dst_size;

    /// <summary>Copies the buffer to <paramref name="destination"/> and waits for the copy to finish.</summary>
    public void CopyToHost(Span<byte> destination)
    {
        CheckHostSize(destination.Length);
        fixed (byte* bytes = destination)
        {
            using var done = StartCopyToHost(bytes, destination.Length);
            done?.Await();
        }
    }

    /// <summary>Copies the buffer into a new array of <typeparamref name="T"/> and waits for the copy to finish.</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        var result = new T[ElementCount<T>()];
        CopyToHost(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>Copies the buffer into a new array without blocking; the buffer must not be disposed before the task ends.</summary>
    public Task<T[]> ToArrayAsync<T>()
        where T : unmanaged
    {
        var result = new T[ElementCount<T>()];
        var byteCount = result.Length * sizeof(T);
        CheckHostSize(byteCount);
        var pin = GCHandle.Alloc(result, GCHandleType.Pinned);
        PjrtEvent? done;
        try
        {
            done = StartCopyToHost((byte*)pin.AddrOfPinnedObject(), byteCount);
        }
        catch
        {
            pin.Free();
            throw;
        }

        return PjrtAsync.FinishCopy(result, pin, done);
    }

    private long ElementCount<T>()
        where T : unmanaged
    {
        var bytes = HostSizeInBytes;
        if (bytes % sizeof(T) != 0)
        {
            throw new ArgumentException($"A {ElementType} buffer of {bytes} bytes cannot be read as {typeof(T).Name} elements.", nameof(T));
        }

        return bytes / sizeof(T);
    }

    private void CheckHostSize(long length)
    {
        var needed = HostSizeInBytes;
        if (needed != length)
        {
            throw new ArgumentException($"The buffer needs {needed} host bytes but the destination has {length}.", nameof(length));
        }
    }

    private PjrtEvent? StartCopyToHost(byte* destination, long length)
    {
        PJRT_Buffer_ToHostBuffer_Args args = default;
        args.struct_size = PJRT_Buffer_ToHostBuffer_Args.STRUCT_SIZE;
        args.src = Pointer;
        args.dst = destination;
        args.dst_size = (nuint)length;
        Plugin.Require(&Api->PJRT_Buffer_ToHostBuffer);
        var error = Api->PJRT_Buffer_ToHostBuffer(&args);
        if (error != null)
        {
            if (args.@event != null)
            {
                Plugin.Destroy(PjrtObjectKind.Event, args.@event);
            }

            throw Plugin.TakeError(error);
        }

        return args.@event == null ? null : new PjrtEvent(Plugin, args.@event, _client.Handle);
    }

    /// <summary>Copies the buffer to another device; the caller owns the new buffer.</summary>
    public PjrtBuffer CopyToDevice(PjrtDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var args = Plugin.Create(
            &Api->PJRT_Buffer_CopyToDevice, new PJRT_Buffer_CopyToDevice_Args { buffer = Pointer, dst_device = device.Pointer }, PjrtObjectKind.Buffer, a => (nint)a.dst_buffer);
        return Owned(args.dst_buffer);
    }

    /// <summary>Copies the buffer to another memory; the caller owns the new buffer.</summary>
    public PjrtBuffer CopyToMemory(PjrtMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var args = Plugin.Create(
            &Api->PJRT_Buffer_CopyToMemory, new PJRT_Buffer_CopyToMemory_Args { buffer = Pointer, dst_memory = memory.Pointer }, PjrtObjectKind.Buffer, a => (nint)a.dst_buffer);
        return Owned(args.dst_buffer);
    }

    // A new buffer of this client that the caller owns.
    private PjrtBuffer Owned(PJRT_Buffer* buffer) => new(_client, PjrtHandle.Own(Plugin, PjrtObjectKind.Buffer, buffer, _client.Handle));

    /// <summary>Destroys the native buffer (and frees its device memory).</summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() =>
        _handle.IsClosed ? "PJRT buffer (disposed)" : $"{ElementType}[{string.Join(",", Dimensions)}]";
}

/// <summary>How a device layout is described.</summary>
public enum PjrtLayoutKind
{
    /// <summary>Minor-to-major dimension order plus optional tiles.</summary>
    Tiled = 0,
    /// <summary>Byte strides per dimension.</summary>
    Strides = 1,
}

/// <summary>A buffer's device layout, copied out of the plugin.</summary>
/// <param name="Kind">Which of the two descriptions applies.</param>
/// <param name="MinorToMajor">Dimension order, most minor first (tiled layouts).</param>
/// <param name="Tiles">Tile shapes, outermost tile first; each applies to the minor dimensions (tiled layouts).</param>
/// <param name="ByteStrides">Byte stride of each dimension (strided layouts).</param>
public sealed record PjrtMemoryLayout(PjrtLayoutKind Kind, long[] MinorToMajor, IReadOnlyList<long[]> Tiles, long[] ByteStrides);

/// <summary>The awaiting half of asynchronous copies (await is not allowed in unsafe code).</summary>
internal static class PjrtAsync
{
    public static async Task<T[]> FinishCopy<T>(T[] result, GCHandle pin, PjrtEvent? done)
    {
        try
        {
            if (done is not null)
            {
                await done.AsTask().ConfigureAwait(false);
            }
        }
        finally
        {
            done?.Dispose();
            pin.Free();
        }

        return result;
    }
}
