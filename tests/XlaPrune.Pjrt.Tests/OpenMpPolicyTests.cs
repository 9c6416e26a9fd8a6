using System.Runtime.InteropServices;
using Xunit;

namespace XlaPrune.Pjrt.Tests;

public partial class OpenMpPolicyTests
{
    [Fact]
    public void LoadingTheCpuPluginLeavesOpenMpWorkersSleepingUnlessTheUserChose()
    {
        var before = NativeGetEnv("OMP_WAIT_POLICY");
        PjrtPlugin.Load("cpu");
        // The policy must be in the native environment, where libgomp reads it.
        Assert.Equal(before ?? "passive", NativeGetEnv("OMP_WAIT_POLICY"));
    }

    private static string? NativeGetEnv(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
