using System.Runtime.InteropServices;

namespace XlaPrune.Pjrt.Tests;

/// <summary>
/// Binds every symbol of a library up front (dlopen with RTLD_NOW), so a plugin that is missing code fails
/// the tests with the loader's message instead of killing the test process at its first lazy call.
/// </summary>
internal static unsafe partial class NativeLinkCheck
{
    private const int RtldNow = 2;

    private static readonly Dictionary<string, string?> s_failures = new(StringComparer.Ordinal);

    public static void RequireFullyLinked(string path)
    {
        string? failure;
        lock (s_failures)
        {
            if (!s_failures.TryGetValue(path, out failure))
            {
                failure = Check(path);
                s_failures[path] = failure;
            }
        }

        if (failure is not null)
        {
            throw new InvalidOperationException(failure);
        }
    }

    private static string? Check(string path)
    {
        _ = DlError(); // binds the import now: resolving it later would clear the error text
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* name = bytes)
        {
            if (DlOpen(name, RtldNow) == null)
            {
                var reason = Marshal.PtrToStringUTF8((nint)DlError()) ?? "unknown reason";
                return $"{path} cannot be fully linked: {reason}";
            }
        }

        return null;
    }

    [LibraryImport("libc.so.6", EntryPoint = "dlopen")]
    private static partial void* DlOpen(byte* file, int mode);

    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial byte* DlError();
}
