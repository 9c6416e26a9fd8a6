using System.Runtime.CompilerServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

// The one place every owned native object is destroyed, by kind.
public sealed unsafe partial class PjrtPlugin
{
    /// <summary>Destroys an owned object; errors from the destroy call are destroyed too (nothing to report to).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the native call out of the callers' try regions (see AwaitAndDestroy)
    internal void Destroy(PjrtObjectKind kind, void* pointer)
    {
        PJRT_Error* error = null;
        switch (kind)
        {
            case PjrtObjectKind.Client:
                {
                    PJRT_Client_Destroy_Args args = default;
                    args.struct_size = PJRT_Client_Destroy_Args.STRUCT_SIZE;
                    args.client = (PJRT_Client*)pointer;
                    error = _api->PJRT_Client_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Buffer:
                {
                    PJRT_Buffer_Destroy_Args args = default;
                    args.struct_size = PJRT_Buffer_Destroy_Args.STRUCT_SIZE;
                    args.buffer = (PJRT_Buffer*)pointer;
                    error = _api->PJRT_Buffer_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.LoadedExecutable:
                {
                    PJRT_LoadedExecutable_Destroy_Args args = default;
                    args.struct_size = PJRT_LoadedExecutable_Destroy_Args.STRUCT_SIZE;
                    args.executable = (PJRT_LoadedExecutable*)pointer;
                    error = _api->PJRT_LoadedExecutable_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Executable:
                {
                    PJRT_Executable_Destroy_Args args = default;
                    args.struct_size = PJRT_Executable_Destroy_Args.STRUCT_SIZE;
                    args.executable = (PJRT_Executable*)pointer;
                    error = _api->PJRT_Executable_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Topology:
                {
                    PJRT_TopologyDescription_Destroy_Args args = default;
                    args.struct_size = PJRT_TopologyDescription_Destroy_Args.STRUCT_SIZE;
                    args.topology = (PJRT_TopologyDescription*)pointer;
                    error = _api->PJRT_TopologyDescription_Destroy(&args);
                    break;
                }

            case PjrtObjectKind.Event:
                {
                    PJRT_Event_Destroy_Args args = default;
                    args.struct_size = PJRT_Event_Destroy_Args.STRUCT_SIZE;
                    args.@event = (PJRT_Event*)pointer;
                    error = _api->PJRT_Event_Destroy(&args);
                    break;
                }
        }

        if (error != null)
        {
            DestroyError(error);
        }
    }
}
