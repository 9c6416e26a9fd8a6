using System.Diagnostics;
using System.Text.Json;
using XlaPrune.Models;

namespace XlaPrune.Cli.Tests;

/// <summary>
/// Outputs that are links, FIFOs or directories, or the same path twice, are refused before anything
/// is written (exit 4, naming the option and the path), and the thing at the path is left as it was.
/// </summary>
[Collection(InProcessGroup.Name)]
public sealed class OutputPathTests : IDisposable
{
    private const string Hlo = "hlo --width 0.03125 --in-channels 1 --program eval-step --batch 2";
    private readonly string _work = Directory.CreateTempSubdirectory("xlaprune-outputs-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private CliRunner.Result Run(string command, params string[] more) =>
        InProcessCli.Run(_work, [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. more]);

    private string MakeFifo(string name)
    {
        var path = Path.Combine(_work, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        Assert.Equal(FileKind.Fifo, FileKinds.Of(path));
        return path;
    }

    [Fact]
    public void A_symbolic_link_is_refused_and_its_target_untouched()
    {
        var target = Path.Combine(_work, "target.pb");
        File.WriteAllText(target, "precious");
        var link = Path.Combine(_work, "link.pb");
        File.CreateSymbolicLink(link, target);
        var r = Run(Hlo, "--out", link);
        Assert.Equal(4, r.ExitCode);
        Assert.Equal($"xlaprune: --out: cannot write {link}: it is a symbolic link; only a regular file is replaced\n", r.StdErr);
        Assert.Equal(FileKind.SymbolicLink, FileKinds.Of(link));
        Assert.Equal("precious", File.ReadAllText(target));
        Assert.Equal(["link.pb", "target.pb"], Directory.EnumerateFileSystemEntries(_work).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_fifo_and_a_link_to_a_fifo_are_refused_and_stay_what_they_were()
    {
        // A FIFO stands in for a device node such as /dev/null: renaming over it would replace it.
        var fifo = MakeFifo("pipe");
        var r = Run(Hlo, "--out", "x.pb", "--text", fifo);
        Assert.Equal(4, r.ExitCode);
        Assert.Equal($"xlaprune: --text: cannot write {fifo}: it is a named pipe (FIFO); only a regular file is replaced\n", r.StdErr);
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));

        var link = Path.Combine(_work, "null.pb");
        File.CreateSymbolicLink(link, fifo);
        Assert.Equal(4, Run(Hlo, "--out", link).ExitCode);
        Assert.Equal(FileKind.SymbolicLink, FileKinds.Of(link));
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        Assert.False(File.Exists(Path.Combine(_work, "x.pb")));
    }

    [Fact]
    public void A_device_or_fifo_as_an_input_is_refused_instead_of_read_forever()
    {
        var r = Run("compile /dev/zero");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("xlaprune: FILE.pb: cannot read /dev/zero: it is a character device, not a regular file\n", r.StdErr);
        var fifo = MakeFifo("in");
        var e = Run($"eval --checkpoint {fifo}");
        Assert.Equal(3, e.ExitCode);
        Assert.Equal($"xlaprune: --checkpoint: cannot read {fifo}: it is a named pipe (FIFO), not a regular file\n", e.StdErr);
    }

    [Fact]
    public void Character_devices_are_classified_as_such()
    {
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of("/dev/null"));
        Assert.Equal(FileKind.Directory, FileKinds.Of("/dev"));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(_work, "nothing")));
    }

    [Fact]
    public void A_directory_is_refused_as_an_output_file()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_work, "d")).FullName;
        var r = Run(Hlo, "--out", dir);
        Assert.Equal(4, r.ExitCode);
        Assert.Equal($"xlaprune: --out: cannot write {dir}: it is a directory\n", r.StdErr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }

    [Fact]
    public void The_same_path_twice_is_refused_and_an_existing_file_is_kept()
    {
        var existing = Path.Combine(_work, "x.pb");
        File.WriteAllText(existing, "old");
        var r = Run(Hlo, "--out", "x.pb", "--text", "./x.pb");
        Assert.Equal(4, r.ExitCode);
        Assert.Equal("xlaprune: ./x.pb: the same file is named by both --out and --text\n", r.StdErr);
        Assert.Equal("old", File.ReadAllText(existing));
        Assert.Single(Directory.EnumerateFileSystemEntries(_work));
    }

    [Fact]
    public void An_input_given_again_as_an_output_is_refused()
    {
        var data = TinyDataset.Create(Path.Combine(_work, "data"));
        var checkpoint = Path.Combine(_work, "ck.safetensors");
        Assert.Equal(0, Run($"train --width 0.03125 --limit 8 --test-limit 4 --batch 4 --dataset-dir {data} --out {checkpoint}").ExitCode);
        var before = File.ReadAllBytes(checkpoint);
        var r = Run($"train --checkpoint {checkpoint} --limit 8 --test-limit 4 --dataset-dir {data} --out {checkpoint}");
        Assert.Equal(4, r.ExitCode);
        Assert.Equal($"xlaprune: {checkpoint}: the same file is named by both --checkpoint and --out\n", r.StdErr);

        // prune --out D writes D/pruned.safetensors: that must not be its own input.
        var q = Directory.CreateDirectory(Path.Combine(_work, "q")).FullName;
        var input = Path.Combine(q, "pruned.safetensors");
        File.Copy(checkpoint, input);
        var r2 = Run($"prune --checkpoint {input} --ratio 0.5 --dataset none --out {q}");
        Assert.Equal(4, r2.ExitCode);
        Assert.Equal($"xlaprune: {input}: the same file is named by both --checkpoint and --out\n", r2.StdErr);
        Assert.Equal(before, File.ReadAllBytes(input));
        Assert.Single(Directory.EnumerateFileSystemEntries(q));
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void A_link_inside_an_output_folder_is_refused_before_anything_is_written()
    {
        var data = TinyDataset.Create(Path.Combine(_work, "data"));
        var checkpoint = Path.Combine(_work, "ck.safetensors");
        Assert.Equal(0, Run($"train --width 0.03125 --limit 8 --test-limit 4 --batch 4 --dataset-dir {data} --out {checkpoint}").ExitCode);
        var outDir = Directory.CreateDirectory(Path.Combine(_work, "p")).FullName;
        var target = Path.Combine(_work, "elsewhere");
        File.WriteAllText(target, "precious");
        File.CreateSymbolicLink(Path.Combine(outDir, "plan.json"), target);
        var r = Run($"prune --checkpoint {checkpoint} --ratio 0.5 --dataset none --out {outDir}");
        Assert.Equal(4, r.ExitCode);
        Assert.Equal($"xlaprune: --out: cannot write {Path.Combine(outDir, "plan.json")}: it is a symbolic link; only a regular file is replaced\n", r.StdErr);
        Assert.Equal("precious", File.ReadAllText(target));
        Assert.Equal(["plan.json"], Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName));
    }

    [Fact]
    public void Json_output_writes_null_for_nan()
    {
        // Accuracy over an empty test set is NaN: the JSON holds null there, not an exception.
        var json = System.Text.Json.JsonSerializer.Serialize(new { a = double.NaN, b = float.PositiveInfinity, c = 1.5 }, Output.Json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("a").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("b").ValueKind);
        Assert.Equal(1.5, doc.RootElement.GetProperty("c").GetDouble());
    }
}
