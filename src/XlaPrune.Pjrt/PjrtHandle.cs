using System.Runtime.InteropServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>
/// The single owner of one native PJRT object. Releasing it calls the matching <c>*_Destroy</c> through
/// the plugin's table; a child (buffer, executable, event) holds a reference on its client's handle, so a
/// client is destroyed only after every child is.
/// </summary>
internal sealed unsafe class PjrtHandle : SafeHandle
{
    private readonly SafeHandle? _parent;

    private PjrtHandle(PjrtPlugin plugin, PjrtObjectKind kind, void* pointer, SafeHandle? parent)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Plugin = plugin;
        Kind = kind;
        if (parent is not null)
        {
            var added = false;
            parent.DangerousAddRef(ref added);
            _parent = parent;
        }

        SetHandle((IntPtr)pointer);
        PjrtDiagnostics.Created(kind);
    }

    public PjrtPlugin Plugin { get; }

    public PjrtObjectKind Kind { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Takes ownership of <paramref name="pointer"/>; the caller must not destroy it any more.</summary>
    public static PjrtHandle Own(PjrtPlugin plugin, PjrtObjectKind kind, void* pointer, SafeHandle? parent) =>
        new(plugin, kind, pointer, parent);

    /// <summary>The native pointer; throws if this handle was disposed.</summary>
    public void* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return (void*)handle;
        }
    }

    /// <summary>
    /// Destroys the owned object and owns <paramref name="pointer"/> (not null) instead, keeping this handle (and its
    /// reference on the parent). For a holder that one owner reuses call after call (<see cref="PjrtExecuteCall"/>); the caller
    /// guarantees that no one else is using the old object.
    /// </summary>
    public void Reseat(void* pointer)
    {
        var added = false;
        DangerousAddRef(ref added); // throws ObjectDisposedException once closed
        var old = handle;
        SetHandle((IntPtr)pointer);
        DangerousRelease();

        // One object destroyed and one taken over: the live count stays as it is. The native call is outside any
        // try region, where the JIT can inline its transition.
        Plugin.Destroy(Kind, (void*)old);
    }

    protected override bool ReleaseHandle()
    {
        try
        {
            Plugin.Destroy(Kind, (void*)handle);
        }
        finally
        {
            PjrtDiagnostics.Destroyed(Kind);
            _parent?.DangerousRelease();
        }

        return true;
    }
}
