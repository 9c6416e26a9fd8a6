using System.Buffers.Binary;
using System.IO.Compression;

namespace XlaPrune.Cli.Tests;

/// <summary>The in-process tests run one at a time: they redirect the console and the working folder.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessGroup
{
    public const string Name = "xlaprune in process";
}

/// <summary>
/// Runs <see cref="CliApp"/> inside the test process (fast: no process start, TorchSharp loaded once),
/// with standard output and error captured and the working folder set for the run.
/// </summary>
internal static class InProcessCli
{
    private static readonly Lock s_lock = new();

    public static CliRunner.Result Run(string workingDirectory, params string[] args)
    {
        lock (s_lock)
        {
            var (stdout, stderr, cwd) = (Console.Out, Console.Error, Environment.CurrentDirectory);
            using var output = new StringWriter();
            using var error = new StringWriter();
            try
            {
                Console.SetOut(output);
                Console.SetError(error);
                Environment.CurrentDirectory = workingDirectory;
                var code = CliApp.RunAsync(args).GetAwaiter().GetResult();
                return new CliRunner.Result(code, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                Environment.CurrentDirectory = cwd;
            }
        }
    }
}

/// <summary>A Fashion-MNIST folder with a few images (IDX, gzip), so training commands finish in moments.</summary>
internal static class TinyDataset
{
    public static string Create(string directory, int trainCount = 48, int testCount = 24)
    {
        Directory.CreateDirectory(directory);
        Write(directory, "train", trainCount, seed: 1);
        Write(directory, "t10k", testCount, seed: 2);
        return directory;
    }

    private static void Write(string directory, string prefix, int count, int seed)
    {
        var random = new Random(seed);
        var labels = new byte[count];
        var pixels = new byte[count * 28 * 28];
        for (var n = 0; n < count; n++)
        {
            labels[n] = (byte)(n % 10);
            for (var p = 0; p < 28 * 28; p++)
            {
                // A bright band whose row depends on the class, over noise.
                pixels[(n * 784) + p] = (byte)((p / 28 / 3) == labels[n] ? 255 : random.Next(64));
            }
        }

        WriteIdx(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), 0x801, [count], labels);
        WriteIdx(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), 0x803, [count, 28, 28], pixels);
    }

    public static void WriteIdx(string path, int magic, int[] dims, byte[] data)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        gzip.Write(word);
        foreach (var d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            gzip.Write(word);
        }

        gzip.Write(data);
    }
}
