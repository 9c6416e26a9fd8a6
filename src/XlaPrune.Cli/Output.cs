using System.Numerics;
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
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new FiniteDoubleConverter(), new FiniteSingleConverter() },
    };

    public static void PrintJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    // NaN and infinities have no JSON spelling: they are written as null (docs/cli.md).
    private abstract class FiniteConverter<T> : JsonConverter<T>
        where T : struct, IFloatingPointIeee754<T>
    {
        public override bool HandleNull => true;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? T.NaN : ReadNumber(ref reader);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (T.IsFinite(value))
            {
                WriteNumber(writer, value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        // Each type reads and writes its own shortest spelling (a float is not widened to a double).
        protected abstract T ReadNumber(ref Utf8JsonReader reader);

        protected abstract void WriteNumber(Utf8JsonWriter writer, T value);
    }

    private sealed class FiniteDoubleConverter : FiniteConverter<double>
    {
        protected override double ReadNumber(ref Utf8JsonReader reader) => reader.GetDouble();

        protected override void WriteNumber(Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);
    }

    private sealed class FiniteSingleConverter : FiniteConverter<float>
    {
        protected override float ReadNumber(ref Utf8JsonReader reader) => reader.GetSingle();

        protected override void WriteNumber(Utf8JsonWriter writer, float value) => writer.WriteNumberValue(value);
    }

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

    /// <summary>
    /// Fails with exit code 4 before any work if <paramref name="path"/> can never be written as a file,
    /// or must not be replaced (a symbolic link, device node, FIFO, socket or directory).
    /// </summary>
    public static void CheckOutputFile(string path, string? option = null)
    {
        FileKind kind;
        try
        {
            kind = FileKinds.Of(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw Refused(option, path, OutputReason(path, e));
        }

        if (kind is not (FileKind.Missing or FileKind.Regular))
        {
            throw Refused(option, path, $"it is {FileKinds.Describe(kind)}" + (kind == FileKind.Directory ? "" : "; only a regular file is replaced"));
        }

        if (FileAncestor(Path.GetDirectoryName(Path.GetFullPath(path))) is { } file)
        {
            throw Refused(option, path, $"{file} is a file, not a directory");
        }
    }

    private static CliException Refused(string? option, string path, string reason) =>
        option is null
            ? new CliException(ExitCodes.BadOutput, $"cannot write {path}: {reason}")
            : CliException.About(ExitCodes.BadOutput, option, $"cannot write {path}: {reason}");

    /// <summary>Why an output could not be written, in words that name the culprit.</summary>
    public static string OutputReason(string path, Exception e) =>
        Directory.Exists(path) && e is not UnauthorizedAccessException ? "it is a directory"
        : FileAncestor(Path.GetDirectoryName(Path.GetFullPath(path))) is { } file ? $"{file} is a file, not a directory"
        : e is UnauthorizedAccessException ? "permission denied"
        : e.Message;

    // The nearest existing ancestor of dir (or dir itself) if it is a file rather than a directory.
    public static string? FileAncestor(string? dir)
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
