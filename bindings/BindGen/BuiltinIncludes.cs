namespace XlaPrune.BindGen;

/// <summary>
/// The NuGet libclang ships without clang's resource headers (stddef.h, stdbool.h). Point clang at
/// a compiler's own copy on the machine: clang's resource folder if one is installed, else gcc's.
/// </summary>
internal static class BuiltinIncludes
{
    public static IEnumerable<string> Arguments()
    {
        var candidates = new List<string>();
        foreach (var llvm in Subfolders("/usr/lib").Where(d => Path.GetFileName(d).StartsWith("llvm-", StringComparison.Ordinal)))
        {
            candidates.AddRange(Subfolders(Path.Combine(llvm, "lib", "clang")).Select(v => Path.Combine(v, "include")));
        }

        candidates.AddRange(Subfolders("/usr/lib/gcc/x86_64-linux-gnu").Select(v => Path.Combine(v, "include")));
        var found = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "stddef.h")) && File.Exists(Path.Combine(d, "stdbool.h")));
        return found is null ? [] : ["-isystem", found];
    }

    // Newest version first, so the choice does not depend on directory listing order.
    private static IEnumerable<string> Subfolders(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetDirectories(folder).OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Replace("llvm-", "", StringComparison.Ordinal), out var v) ? v : new Version(0, 0)).ThenBy(d => d, StringComparer.Ordinal)
            : [];
}
