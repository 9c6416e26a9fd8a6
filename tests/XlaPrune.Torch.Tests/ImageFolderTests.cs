using SkiaSharp;
using XlaPrune.Torch.Data;

namespace XlaPrune.Torch.Tests;

public sealed class ImageFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xlaprune-folder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WritePng(string cls, string name, int width, int height, SKColor color)
    {
        Directory.CreateDirectory(Path.Combine(_dir, cls));
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(Path.Combine(_dir, cls, name), data.ToArray());
    }

    [Fact]
    public void Class_folders_are_decoded_resized_cropped_and_normalised()
    {
        WritePng("ant", "a.png", 40, 30, new SKColor(255, 0, 0));
        WritePng("bee", "b.png", 64, 64, new SKColor(0, 0, 255));

        var d = ImageFolder.Load(_dir, size: 32);

        Assert.Equal((2, 3, 32, 2), (d.Count, d.Channels, d.Size, d.Classes));
        Assert.Equal([0, 1], d.Labels);
        Assert.Equal((1f - 0.485f) / 0.229f, d.Images[0], 3);                 // red channel of the red image
        Assert.Equal((0f - 0.456f) / 0.224f, d.Images[32 * 32], 3);           // its green channel
        Assert.Equal((1f - 0.406f) / 0.225f, d.Images[(3 * 1024) + (2 * 1024) + 500], 3); // blue image, blue channel
    }

    [Fact]
    public void Corrupt_image_names_the_file_and_offset()
    {
        WritePng("ant", "a.png", 8, 8, SKColors.Red);
        var path = Path.Combine(_dir, "ant", "a.png");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..20]);

        var e = Assert.Throws<DatasetException>(() => ImageFolder.Load(_dir, 32));

        Assert.Equal($"{path}: cannot decode the image: truncated or corrupt data (the file ends at byte offset 20)", e.Message);
    }
}
