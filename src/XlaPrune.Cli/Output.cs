using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XlaPrune.Cli;

/// <summary>JSON printing and atomic file writes shared by the commands.</summary>
internal static class Output
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void PrintJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Writes the whole file next to its destination, then renames it into place.</summary>
    public static void WriteFileAtomically(string path, ReadOnlySpan<byte> bytes) => WriteFilesAtomically([(path, bytes.ToArray())]);

    /// <summary>
    /// Writes every file to a temporary file beside its destination and renames them into place only
    /// once all are written, so a failure leaves none of them (nor a temporary file) behind.
    /// </summary>
    public static void WriteFilesAtomically(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        var temps = new List<(string Temp, string Full, string Given)>();
        string current = "";
        try
        {
            foreach (var (path, bytes) in files)
            {
                current = path;
                var full = Path.GetFullPath(path);
                CheckOutputFile(path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
                temps.Add((temp, full, path));
                using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            foreach (var (temp, full, given) in temps)
            {
                current = given;
                File.Move(temp, full, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var (temp, _, _) in temps)
            {
                File.Delete(temp);
            }

            throw new CliException(ExitCodes.BadOutput, $"cannot write {current}: {OutputReason(current, e)}", e);
        }
    }

    /// <summary>Fails with exit code 4 before any work if <paramref name="path"/> can never be written as a file.</summary>
    public static void CheckOutputFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write {path}: it is a directory");
        }

        if (FileAncestor(Path.GetDirectoryName(Path.GetFullPath(path))) is { } file)
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write {path}: {file} is a file, not a directory");
        }
    }

    /// <summary>Why an output could not be written, in words that name the culprit.</summary>
    public static string OutputReason(string path, Exception e) =>
        Directory.Exists(path) && e is not UnauthorizedAccessException ? "it is a directory"
        : FileAncestor(Path.GetDirectoryName(Path.GetFullPath(path))) is { } file ? $"{file} is a file, not a directory"
        : e is UnauthorizedAccessException ? "permission denied"
        : e.Message;

    // The nearest existing ancestor of dir (or dir itself) if it is a file rather than a directory.
    private static string? FileAncestor(string? dir)
    {
        for (var d = dir; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            if (File.Exists(d))
            {
                return d;
            }

            if (Directory.Exists(d))
            {
                return null;
            }
        }

        return null;
    }

    public static void WriteTextAtomically(string path, string text) => WriteFileAtomically(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Reads an input file, turning every failure into a one-line error that names it.</summary>
    public static byte[] ReadInput(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException(ExitCodes.BadInput, $"cannot read {what} {path}: {InputReason(path, e)}", e);
        }
    }

    /// <summary>Why an input could not be read.</summary>
    public static string InputReason(string path, Exception e) => e switch
    {
        _ when Directory.Exists(path) => "it is a directory, not a file",
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
