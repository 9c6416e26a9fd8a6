using System.Text;

namespace XlaPrune.Models;

/// <summary>Writes files so a kill leaves the old content or the new, never half of one.</summary>
public static class AtomicFiles
{
    /// <summary>Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/>, then renames it.</summary>
    public static void WriteText(string path, string text) => Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>Writes through <paramref name="write"/> to a temporary file beside <paramref name="path"/>, then renames it.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        RemoveStaleTemps(dir, Path.GetFileName(full));
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
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
