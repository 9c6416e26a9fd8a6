using System.Text.Json;
using System.Text.Json.Serialization;

namespace XlaPrune.BindGen;

/// <summary>BindGen settings: read from the checked-in JSON file, overridable on the command line.</summary>
internal sealed class GeneratorOptions
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Header to parse. Relative paths are relative to the config file.</summary>
    public string Header { get; set; } = string.Empty;

    /// <summary>Include folders passed to clang as -I.</summary>
    public List<string> IncludeDirs { get; set; } = [];

    /// <summary>Extra clang arguments (language standard, target triple).</summary>
    public List<string> ClangArgs { get; set; } = ["-x", "c", "-std=c11", "--target=x86_64-pc-linux-gnu"];

    /// <summary>Only declarations whose names start with this prefix are emitted. C names are kept.</summary>
    public string Prefix { get; set; } = "PJRT_";

    public string Namespace { get; set; } = "XlaPrune.Bindings";

    public string ConstantsClass { get; set; } = "PjrtConstants";

    public string Output { get; set; } = "XlaPrune.Bindings";

    public string? TestOutput { get; set; }

    public string TestNamespace { get; set; } = "XlaPrune.Bindings.Tests";

    public string TestClass { get; set; } = "PjrtLayoutTests";

    /// <summary>Lines written as comments at the top of every file.</summary>
    public List<string> LicenseHeader { get; set; } = [];

    /// <summary>How the header is named in the provenance line (a stable, repo-relative path).</summary>
    public string? HeaderDisplayName { get; set; }

    [JsonIgnore]
    public string BaseDirectory { get; set; } = Directory.GetCurrentDirectory();

    public static GeneratorOptions Load(string path)
    {
        var text = File.ReadAllText(path);
        var options = JsonSerializer.Deserialize<GeneratorOptions>(text, s_json) ?? throw new InvalidOperationException($"Config file '{path}' is empty.");
        options.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return options;
    }

    public string Resolve(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
