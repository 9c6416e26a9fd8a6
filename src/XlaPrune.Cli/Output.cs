using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using XlaPrune.Models;

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

    /// <summary>All files or none (<see cref="AtomicFiles.WriteAll"/>), failures as exit code 4 naming the file.</summary>
    public static void WriteFilesAtomically(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        foreach (var (path, _) in files)
        {
            CheckOutputFile(path);
        }

        try
        {
            AtomicFiles.WriteAll([.. files.Select(f => (f.Path, (Action<Stream>)(s => s.Write(f.Bytes))))]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var path = e.Data[AtomicFiles.FailedPathKey] as string ?? files[0].Path;
            throw new CliException(ExitCodes.BadOutput, $"cannot write {path}: {OutputReason(path, e)}", e);
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
