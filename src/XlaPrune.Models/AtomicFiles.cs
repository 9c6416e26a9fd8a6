using System.Text;

namespace XlaPrune.Models;

/// <summary>Writes files so a kill leaves the old content or the new, never half of one.</summary>
public static class AtomicFiles
{
    /// <summary>Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/>, then renames it.</summary>
    public static void WriteText(string path, string text) => Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>Key in <see cref="Exception.Data"/> of an exception from <see cref="WriteAll"/>: the path that failed.</summary>
    public const string FailedPathKey = "XlaPrune.AtomicFiles.Path";

    /// <summary>Writes through <paramref name="write"/> to a temporary file beside <paramref name="path"/>, then renames it.</summary>
    public static void Write(string path, Action<Stream> write) => WriteAll([(path, write)]);

    /// <summary>
    /// Writes every file to a temporary file beside its destination and renames them into place only
    /// once all are written, so a failure while writing leaves none of them (nor a temporary file).
    /// The exception is rethrown with the path that failed in <c>Data[FailedPathKey]</c>.
    /// </summary>
    public static void WriteAll(IReadOnlyList<(string Path, Action<Stream> Write)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var temps = new List<(string Temp, string Full, string Given)>();
        var current = "";
        try
        {
            foreach (var (path, write) in files)
            {
                ArgumentNullException.ThrowIfNull(write);
                current = path;
                var full = Path.GetFullPath(path);
                var dir = Path.GetDirectoryName(full)!;
                ThrowUnlessReplaceable(full, path);
                Directory.CreateDirectory(dir);
                RemoveStaleTemps(dir, Path.GetFileName(full));
                var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
                temps.Add((temp, full, path));
                using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            foreach (var (temp, full, given) in temps)
            {
                current = given;
                File.Move(temp, full, overwrite: true);
            }
        }
        catch (Exception e)
        {
            foreach (var (temp, _, _) in temps)
            {
                File.Delete(temp);
            }

            // A message that names a temporary file names the destination instead.
            var named = temps.Find(t => e.Message.Contains(t.Temp, StringComparison.Ordinal));
            var renamed = named.Temp is null ? e
                : e is UnauthorizedAccessException ? new UnauthorizedAccessException(e.Message.Replace(named.Temp, named.Given, StringComparison.Ordinal), e)
                : e is IOException ? new IOException(e.Message.Replace(named.Temp, named.Given, StringComparison.Ordinal), e)
                : e;
            renamed.Data[FailedPathKey] = current;
            if (ReferenceEquals(renamed, e))
            {
                throw;
            }

            throw renamed;
        }
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> unless <paramref name="path"/> is missing or a regular
    /// file: renaming over a symbolic link, a device node, a FIFO or a directory would replace it.
    /// </summary>
    public static void ThrowUnlessReplaceable(string path, string? given = null)
    {
        var kind = FileKinds.Of(path);
        if (kind is not (FileKind.Missing or FileKind.Regular))
        {
            throw new IOException($"{given ?? path}: it is {FileKinds.Describe(kind)}; only a regular file is replaced");
        }
    }

    // A writer killed mid-write leaves its temporary file; the next writer of the same file
    // removes those whose process is gone (a live process may still be writing its own).
    private static void RemoveStaleTemps(string dir, string name)
    {
        foreach (var stale in Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
        {
            var pid = Path.GetFileName(stale)[(name.Length + 2)..^4];
            if (int.TryParse(pid, out var id) && id != Environment.ProcessId && !ProcessIsAlive(id))
            {
                try
                {
                    File.Delete(stale);
                }
                catch (IOException)
                {
                    // Best effort: a leftover temporary file never replaces a result.
                }
            }
        }
    }

    private static bool ProcessIsAlive(int id)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{id}");
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
