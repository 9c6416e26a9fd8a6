using System.Diagnostics;
using System.Text.Json;
using SkiaSharp;
using XlaPrune.Models;
using XlaPrune.Torch;

namespace XlaPrune.Study.Tests;

/// <summary><c>xlaprune study --variant imagenet</c> on a tiny ImageNet-style folder of generated images.</summary>
public sealed class ImageNetStudyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-study-imagenet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Imagenet_variant_trains_the_224_pixel_model_with_the_papers_classifier_and_the_folders_classes()
    {
        var data = Path.Combine(_dir, "data");
        string[] classes = ["n01440764", "n01443537", "n01484850"];
        var random = new Random(5);
        foreach (var (split, perClass) in new[] { ("train", 4), ("val", 2) })
        {
            for (var c = 0; c < classes.Length; c++)
            {
                Directory.CreateDirectory(Path.Combine(data, split, classes[c]));
                for (var i = 0; i < perClass; i++)
                {
                    WritePng(Path.Combine(data, split, classes[c], $"{i}.png"), 48 + random.Next(16), 40 + random.Next(16), c, random);
                }
            }
        }

        var output = Path.Combine(_dir, "out");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            StudyKillTests.CliDll(), "study", "--variant", "imagenet", "--width", "0.03125", "--dataset-dir", data, "--no-profile",
            "--methods", "slimming-reload", "--ratios", "0,0.5", "--baseline-epochs", "1", "--retrain-epochs", "1", "--out", output,
        })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);

        var expected = Vgg16Spec.ImageNet(inputChannels: 3, classes: 3, width: 0.03125);
        var (spec, _, _, epochs) = Models.TrainingCheckpoint.Load(Path.Combine(output, "checkpoints", "baseline_s0.safetensors"));
        Assert.Equal(expected, spec);
        Assert.Equal((224, 4096, 3), (spec.ImageSize, spec.ClassifierHidden, spec.Classes));
        Assert.Equal(1, epochs);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        var cells = results.RootElement.EnumerateArray().ToList();
        Assert.Equal([0.0, 0.5], cells.Select(c => c.GetProperty("ratio").GetDouble()));
        Assert.Equal(expected.ConvChannels, cells[0].GetProperty("conv_channels").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(expected.ParameterCount, cells[0].GetProperty("params").GetInt64());
        Assert.True(cells[1].GetProperty("params").GetInt64() < expected.ParameterCount);
        foreach (var cell in cells)
        {
            var correct = cell.GetProperty("accuracy").GetDouble() * 6; // 6 validation images
            Assert.Equal(Math.Round(correct), correct, 9);
        }
    }

    // A class-coloured image with noise, so the classes differ.
    private static void WritePng(string path, int width, int height, int cls, Random random)
    {
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                byte Channel(int k) => (byte)Math.Clamp((k == cls ? 200 : 40) + random.Next(-30, 30), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(Channel(0), Channel(1), Channel(2)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
    }
}
