// XlaPrune build targets. Thin: each target calls cmake, dotnet or a project tool.
#load "bindings/bindings.cake"
var target = Argument("target", "Build");
var configuration = Argument("configuration", "Release");
var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var nativeBuild = artifacts.Combine("native/build");
var sanitizeBuild = artifacts.Combine("native-asan");

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

// Builds the libFuzzer targets (clang-14, artifacts/fuzz) and runs each for `seconds`. The
// compile target's seeds are the train and eval steps the CLI emits, each prefixed with
// compile options for one replica (its input is [2-byte options length][options][module]).
void RunFuzzers(int seconds)
{
    var fuzzBuild = artifacts.Combine("fuzz");
    var corpora = artifacts.Combine("fuzz-corpus");
    var seeds = artifacts.Combine("fuzz-seeds");
    EnsureDirectoryExists(seeds);
    // CompileOptionsProto { executable_build_options (3) { num_replicas (4): 1, num_partitions (5): 1 } }
    var oneReplica = new byte[] { 0x1A, 0x04, 0x20, 0x01, 0x28, 0x01 };
    foreach (var program in new[] { "train-step", "eval-step" })
    {
        var module = seeds.CombineWithFilePath($"{program}.pb");
        Run("dotnet", $"artifacts/bin/XlaPrune.Cli/{configuration.ToLowerInvariant()}/xlaprune.dll hlo --program {program} --width 0.0625 --in-channels 1 --batch 2 --out \"{module}\"");
        var bytes = System.IO.File.ReadAllBytes(module.FullPath);
        var seed = new List<byte> { (byte)oneReplica.Length, 0 };
        seed.AddRange(oneReplica);
        seed.AddRange(bytes);
        EnsureDirectoryExists(corpora.Combine("compile"));
        System.IO.File.WriteAllBytes(corpora.Combine("compile").CombineWithFilePath($"{program}.seed").FullPath, seed.ToArray());
    }
    Run("cmake", $"-S \"{root}\" -B \"{fuzzBuild}\" -DCMAKE_BUILD_TYPE=Release -DXLAPRUNE_FUZZ=ON -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14");
    Run("cmake", $"--build \"{fuzzBuild}\" -j {System.Environment.ProcessorCount} --target xlaprune_fuzz_compile xlaprune_fuzz_execute");
    var failures = new List<string>();
    foreach (var name in new[] { "compile", "execute" })
    {
        var corpus = corpora.Combine(name);
        EnsureDirectoryExists(corpus);
        // Inputs that once crashed (native/fuzz/regressions/<target>) are read first, never written.
        var regressions = root.Combine($"native/fuzz/regressions/{name}");
        var dirs = DirectoryExists(regressions) ? $"\"{corpus}\" \"{regressions}\"" : $"\"{corpus}\"";
        try
        {
            Run($"{fuzzBuild}/xlaprune_fuzz_{name}", $"-max_total_time={seconds} -rss_limit_mb=4096 -max_len=200000 -print_final_stats=1 -artifact_prefix=\"{fuzzBuild}/{name}-\" {dirs}");
        }
        catch (CakeException e)
        {
            failures.Add(e.Message);
        }
    }
    if (failures.Count > 0)
    {
        throw new CakeException("fuzzing found crashes: " + string.Join("; ", failures));
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
    .Description("Bindings drift check, native tests (CTest), every .NET test project, the native tests under ASan/LSan/UBSan, then each fuzz target briefly.")
    .IsDependentOn("BindingsCheck")
    .IsDependentOn("Build")
    .Does(() =>
{
    // Run every suite even when one fails, so one run shows every failure. Each group stops at
    // its own first failing step (no ctest after a failed sanitizer build).
    var failures = new List<string>();
    var groups = new List<(string Tool, string Arguments)[]>
    {
        new[] { ("ctest", $"--test-dir \"{nativeBuild}\" --output-on-failure -j 2") },
        new[] { ("dotnet", $"test XlaPrune.sln -c {configuration} --no-build -nologo --logger \"console;verbosity=minimal\"") },
        // The native tests again under AddressSanitizer + LeakSanitizer + UBSan, in their own folder.
        new[]
        {
            ("cmake", $"-S \"{root}\" -B \"{sanitizeBuild}\" -DCMAKE_BUILD_TYPE=Release -DXLAPRUNE_SANITIZE=ON"),
            ("cmake", $"--build \"{sanitizeBuild}\" -j {System.Environment.ProcessorCount} --target xlaprune_pjrt_cpu_api_tests xlaprune_pjrt_cpu_engine_tests"),
            ("ctest", $"--test-dir \"{sanitizeBuild}\" --output-on-failure -j 2"),
        },
    };
    foreach (var group in groups)
    {
        try
        {
            foreach (var (tool, arguments) in group)
            {
                Run(tool, arguments);
            }
        }
        catch (CakeException e)
        {
            failures.Add(e.Message);
        }
    }

    // The packages and the sample harness that restores them from the local feed only.
    try
    {
        PackAndRunSample();
    }
    catch (CakeException e)
    {
        failures.Add(e.Message);
    }

    // Each libFuzzer target briefly (--fuzz-seconds, default 20).
    try
    {
        RunFuzzers(Argument("fuzz-seconds", 20));
    }
    catch (CakeException e)
    {
        failures.Add(e.Message);
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

// Packs the libraries that import src/Packable.props into artifacts/packages (emptied first, so the
// folder feed holds exactly this build's packages), then builds and runs the sample harness against
// them alone: its NuGet.config maps XlaPrune.* to that folder, and it restores into its own package
// folder so that no package cached from an earlier pack of the same version is used.
void PackAndRunSample()
{
    var packages = artifacts.Combine("packages");
    var samplePackages = artifacts.Combine("sample-packages");
    EnsureDirectoryExists(packages);
    CleanDirectory(packages);
    EnsureDirectoryExists(samplePackages);
    CleanDirectory(samplePackages);
    Run("dotnet", $"pack XlaPrune.sln -c {configuration} -nologo -clp:NoSummary -o \"{packages}\"");
    Information($"packages: {string.Join(", ", GetFiles($"{packages}/*.nupkg").Select(f => f.GetFilename().ToString()))}");
    Run("dotnet", $"test samples/HarnessExample/HarnessExample.csproj -c {configuration} -nologo -p:RestorePackagesPath=\"{samplePackages}\" --logger \"console;verbosity=minimal\"");
}

Task("Pack")
    .Description("NuGet packages of the libraries (CPU plugin inside XlaPrune.Pjrt) into artifacts/packages, checked by samples/HarnessExample.")
    .IsDependentOn("Native")
    .Does(PackAndRunSample);

Task("Fuzz")
    .Description("Build the libFuzzer targets with clang-14 and run each for --seconds (default 60), seeded with programs the CLI emits.")
    .IsDependentOn("Build")
    .Does(() => RunFuzzers(Argument("seconds", 60)));

Task("Clean")
    .Does(() => CleanDirectory(artifacts));

RunTarget(target);
