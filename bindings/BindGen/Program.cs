using System.Security.Cryptography;
using XlaPrune.BindGen;

// BindGen: C header -> blittable C# bindings + xUnit layout tests.
//   BindGen --config bindings/bindgen.json                 regenerate the checked-in bindings
//   BindGen --config ... --out DIR [--test-out DIR]        write elsewhere (the CI drift check)
//   BindGen --header path/to/pjrt_c_api.h --out DIR        any upstream header, default settings
try
{
    return Run(args);
}
catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException or DllNotFoundException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"bindgen: {e.Message}");
    return 1;
}

static int Run(string[] args)
{
    string? config = null, header = null, output = null, testOutput = null;
    var includes = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
        switch (args[i])
        {
            case "--config": config = Next(); break;
            case "--header": header = Next(); break;
            case "--out": output = Next(); break;
            case "--test-out": testOutput = Next(); break;
            case "-I": includes.Add(Next()); break;
            case "-h" or "--help":
                Console.WriteLine("usage: BindGen [--config file.json] [--header file.h] [--out dir] [--test-out dir] [-I dir]...");
                return 0;
            default: throw new ArgumentException($"unknown argument '{args[i]}' (see --help)");
        }
    }

    if (config is null && header is null)
    {
        throw new ArgumentException("give --config or --header (see --help)");
    }

    var options = config is null ? new GeneratorOptions() : GeneratorOptions.Load(config);
    if (header is not null)
    {
        options.Header = Path.GetFullPath(header);
        options.HeaderDisplayName = Path.GetFileName(header);
        if (config is null)
        {
            options.IncludeDirs.Add(Path.GetDirectoryName(options.Header)!);
        }
    }

    if (output is not null)
    {
        options.Output = Path.GetFullPath(output);
        options.TestOutput = testOutput is null ? null : Path.GetFullPath(testOutput);
    }
    else if (testOutput is not null)
    {
        options.TestOutput = Path.GetFullPath(testOutput);
    }

    options.IncludeDirs.AddRange(includes.Select(Path.GetFullPath));
    var headerPath = options.Resolve(options.Header);
    if (!File.Exists(headerPath))
    {
        throw new ArgumentException($"header '{headerPath}' does not exist");
    }

    var clangArgs = new List<string>(options.ClangArgs);
    clangArgs.AddRange(options.IncludeDirs.Select(d => "-I" + options.Resolve(d)));
    clangArgs.AddRange(BuiltinIncludes.Arguments());

    HeaderModel model;
    using (var reader = new HeaderReader(headerPath, clangArgs, options.Prefix))
    {
        model = reader.Read();
    }

    var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(headerPath)));
    var displayName = options.HeaderDisplayName ?? options.Header.Replace('\\', '/');
    var writer = new CSharpWriter(options, $"Source: {displayName} (SHA-256 {hash})");
    var written = OutputFolder.Replace(options.Resolve(options.Output), writer.WriteBindings(model));
    Console.WriteLine($"bindgen: {model.Records.Count} records, {model.Enums.Count} enums, {model.Constants.Count} constants -> {written} files in {options.Resolve(options.Output)}");
    if (options.TestOutput is not null)
    {
        var tests = OutputFolder.Replace(options.Resolve(options.TestOutput), writer.WriteLayoutTests(model));
        Console.WriteLine($"bindgen: layout tests -> {tests} files in {options.Resolve(options.TestOutput)}");
    }

    return 0;
}
