// XlaPrune build targets. Thin: each target calls cmake, dotnet or a project tool.
#load "bindings/bindings.cake"
var target = Argument("target", "Build");
var configuration = Argument("configuration", "Release");
var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var nativeBuild = artifacts.Combine("native/build");

void Run(string tool, string arguments, DirectoryPath workingDirectory = null)
{
    Information($"> {tool} {arguments}");
    var exit = StartProcess(tool, new ProcessSettings
    {
        Arguments = arguments,
        WorkingDirectory = workingDirectory ?? root,
    });
    if (exit != 0)
    {
        throw new CakeException($"{tool} exited with code {exit}");
    }
}

Task("Native")
    .Description("Configure and build native/ with CMake into artifacts/native.")
    .Does(() =>
{
    Run("cmake", $"-S \"{root}\" -B \"{nativeBuild}\" -DCMAKE_BUILD_TYPE=Release");
    Run("cmake", $"--build \"{nativeBuild}\" -j {System.Environment.ProcessorCount}");
});

Task("Build")
    .Description("Build native code and the .NET solution.")
    .IsDependentOn("Native")
    .Does(() =>
{
    Run("dotnet", $"build XlaPrune.sln -c {configuration} -nologo -clp:NoSummary -bl:artifacts/log/build.binlog");
});

Task("Test")
    .Description("Bindings drift check, native tests (CTest), then every .NET test project.")
    .IsDependentOn("BindingsCheck")
    .IsDependentOn("Build")
    .Does(() =>
{
    // Run both suites even when the first fails, so one run shows every failure.
    var failures = new List<string>();
    foreach (var (tool, arguments) in new[]
    {
        ("ctest", $"--test-dir \"{nativeBuild}\" --output-on-failure -j 2"),
        ("dotnet", $"test XlaPrune.sln -c {configuration} --no-build -nologo --logger \"console;verbosity=minimal\""),
    })
    {
        try
        {
            Run(tool, arguments);
        }
        catch (CakeException e)
        {
            failures.Add(e.Message);
        }
    }

    if (failures.Count > 0)
    {
        throw new CakeException("tests failed: " + string.Join("; ", failures));
    }
});

Task("Study")
    .Description("The quick study on our CPU plugin: report, tables and plots in study-out/ (rerun resumes).")
    .IsDependentOn("Build")
    .Does(() =>
{
    var output = Argument("out", "study-out");
    Run("dotnet", $"artifacts/bin/XlaPrune.Cli/{configuration.ToLowerInvariant()}/xlaprune.dll study --preset quick --out \"{output}\"");
});

Task("Bench")
    .Description("Benchmarks as ratios against references measured in the same run; writes docs/benchmarks.md.")
    .IsDependentOn("Build")
    .Does(() =>
{
    Run("dotnet", $"build bench/XlaPrune.Bench/XlaPrune.Bench.csproj -c {configuration} -nologo -clp:NoSummary");
    Run("dotnet", $"artifacts/bin/XlaPrune.Bench/{configuration.ToLowerInvariant()}/XlaPrune.Bench.dll \"{root}\" \"{root}/docs/benchmarks.md\"");
});

Task("Fuzz")
    .Description("Build the libFuzzer targets with clang-14 and run each for --seconds (default 60), seeded with an emitted train step.")
    .IsDependentOn("Build")
    .Does(() =>
{
    var seconds = Argument("seconds", 60);
    var fuzzBuild = artifacts.Combine("fuzz");
    var corpus = artifacts.Combine("fuzz-corpus/compile");
    EnsureDirectoryExists(corpus);
    Run("dotnet", $"artifacts/bin/XlaPrune.Cli/{configuration.ToLowerInvariant()}/xlaprune.dll hlo --width 0.0625 --in-channels 1 --batch 2 --out \"{corpus}/train_step.pb\"");
    Run("cmake", $"-S \"{root}\" -B \"{fuzzBuild}\" -DCMAKE_BUILD_TYPE=Release -DXLAPRUNE_FUZZ=ON -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14");
    Run("cmake", $"--build \"{fuzzBuild}\" -j {System.Environment.ProcessorCount} --target xlaprune_fuzz_compile");
    Run($"{fuzzBuild}/xlaprune_fuzz_compile", $"-max_total_time={seconds} -rss_limit_mb=4096 -max_len=200000 \"{corpus}\"");
});

Task("Clean")
    .Does(() => CleanDirectory(artifacts));

RunTarget(target);
