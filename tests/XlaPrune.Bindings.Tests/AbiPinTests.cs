using XlaPrune.Bindings;

namespace XlaPrune.Bindings.Tests;

/// <summary>
/// Hand-written pins of the numbers the managed layer depends on, independent of the generator:
/// if the header or BindGen drifted together, the generated layout tests alone would not notice.
/// </summary>
public sealed unsafe class AbiPinTests
{
    [Fact]
    public void Api_table_is_version_0_114_with_138_slots()
    {
        Assert.Equal(0, PjrtConstants.PJRT_API_MAJOR);
        Assert.Equal(114, PjrtConstants.PJRT_API_MINOR);
        Assert.Equal(1144, PJRT_Api.STRUCT_SIZE);
        Assert.Equal(40 + (8 * 138), sizeof(PJRT_Api));
    }

    [Theory]
    [InlineData("PJRT_Error_Destroy", 1)]
    [InlineData("PJRT_Client_Compile", 21)]
    [InlineData("PJRT_LoadedExecutable_Execute", 56)]
    [InlineData("PJRT_Buffer_ToHostBuffer", 71)]
    [InlineData("PJRT_Executable_GetCompiledMemoryStats", 97)]
    [InlineData("PJRT_Event_Create", 127)]
    [InlineData("PJRT_Device_ClearMemoryStats", 136)]
    [InlineData("PJRT_TopologyDescription_GetMemorySpaceKindIds", 138)]
    public void Slot_sits_at_40_plus_8_per_earlier_slot(string slot, int number)
    {
        var field = typeof(PJRT_Api).GetFields().Where(f => !f.IsStatic).Select(f => f.Name).ToList();
        Assert.Equal(number + 3, field.IndexOf(slot) + 1); // after struct_size, extension_start, pjrt_api_version
        PJRT_Api api = default;
        var offsets = new Dictionary<string, long>
        {
            ["PJRT_Error_Destroy"] = (byte*)&api.PJRT_Error_Destroy - (byte*)&api,
            ["PJRT_Client_Compile"] = (byte*)&api.PJRT_Client_Compile - (byte*)&api,
            ["PJRT_LoadedExecutable_Execute"] = (byte*)&api.PJRT_LoadedExecutable_Execute - (byte*)&api,
            ["PJRT_Buffer_ToHostBuffer"] = (byte*)&api.PJRT_Buffer_ToHostBuffer - (byte*)&api,
            ["PJRT_Executable_GetCompiledMemoryStats"] = (byte*)&api.PJRT_Executable_GetCompiledMemoryStats - (byte*)&api,
            ["PJRT_Event_Create"] = (byte*)&api.PJRT_Event_Create - (byte*)&api,
            ["PJRT_Device_ClearMemoryStats"] = (byte*)&api.PJRT_Device_ClearMemoryStats - (byte*)&api,
            ["PJRT_TopologyDescription_GetMemorySpaceKindIds"] = (byte*)&api.PJRT_TopologyDescription_GetMemorySpaceKindIds - (byte*)&api,
        };
        Assert.Equal(40 + (8 * (number - 1)), offsets[slot]);
    }

    [Fact]
    public void Struct_sizes_leave_out_trailing_padding()
    {
        Assert.Equal(28, PJRT_Error_GetCode_Args.STRUCT_SIZE);
        Assert.Equal(32, sizeof(PJRT_Error_GetCode_Args));
        Assert.Equal(28, PJRT_Buffer_ElementType_Args.STRUCT_SIZE);
        Assert.Equal(76, PJRT_Buffer_MemoryLayout.STRUCT_SIZE);
        Assert.Equal(80, sizeof(PJRT_Buffer_MemoryLayout));
        Assert.Equal(144, PJRT_ExecuteOptions.STRUCT_SIZE);
        Assert.Equal(144, PJRT_Executable_GetCompiledMemoryStats_Args.STRUCT_SIZE);
        Assert.Equal(120, PJRT_Client_BufferFromHostBuffer_Args.STRUCT_SIZE);
        Assert.Equal(88, PJRT_Client_Create_Args.STRUCT_SIZE);
        Assert.Equal(16, PJRT_Plugin_Initialize_Args.STRUCT_SIZE);
    }

    [Fact]
    public void Enum_values_match_the_C_API()
    {
        Assert.Equal(12, (int)PJRT_Error_Code.PJRT_Error_Code_UNIMPLEMENTED);
        Assert.Equal(16, (int)PJRT_Error_Code.PJRT_Error_Code_UNAUTHENTICATED);
        Assert.Equal(11, (int)PJRT_Buffer_Type.PJRT_Buffer_Type_F32);
        Assert.Equal(33, (int)PJRT_Buffer_Type.PJRT_Buffer_Type_F6E3M2FN);
        Assert.Equal(4, (int)PJRT_NamedValue_Type.PJRT_NamedValue_kBool);
        Assert.Equal(3, (int)PJRT_HostBufferSemantics.PJRT_HostBufferSemantics_kMutableZeroCopy);
    }
}
