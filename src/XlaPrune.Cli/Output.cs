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
    public static void WriteFileAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var data = bytes.ToArray();
        try
        {
            AtomicFiles.Write(path, stream => stream.Write(data));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadOutput, $"cannot write {path}: {e.Message}", e);
        }
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
            throw new CliException(ExitCodes.BadInput, $"cannot read {what} {path}: {Reason(e)}", e);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
