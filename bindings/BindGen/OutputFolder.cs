using System.Text;

namespace XlaPrune.BindGen;

/// <summary>Writes generated files atomically and removes generated files that are no longer produced.</summary>
internal static class OutputFolder
{
    public static int Replace(string folder, IReadOnlyDictionary<string, string> files)
    {
        Directory.CreateDirectory(folder);
        foreach (var stale in Directory.EnumerateFiles(folder, "*.g.cs").Where(f => !files.ContainsKey(Path.GetFileName(f))).ToList())
        {
            File.Delete(stale);
        }

        var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        foreach (var (name, content) in files)
        {
            var target = Path.Combine(folder, name);
            if (File.Exists(target) && File.ReadAllText(target, encoding) == content)
            {
                continue;
            }

            var temporary = target + ".tmp";
            File.WriteAllText(temporary, content, encoding);
            File.Move(temporary, target, overwrite: true);
        }

        return files.Count;
    }
}
