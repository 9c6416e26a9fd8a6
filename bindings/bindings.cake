// Bindings targets, loaded from build.cake with `#load "bindings/bindings.cake"`.
//   Bindings:      regenerate bindings/XlaPrune.Bindings/*.g.cs and the layout tests from the header.
//   BindingsCheck: regenerate into a temporary folder and fail, showing the diff, if the checked-in
//                  files differ (the header changed without regenerating, or someone edited a .g.cs).
var bindingsRepo = MakeAbsolute(Directory("."));
var bindingsConfig = bindingsRepo.CombineWithFilePath("bindings/bindgen.json");
var bindingsProject = bindingsRepo.CombineWithFilePath("bindings/BindGen/BindGen.csproj");
var bindingsTool = bindingsRepo.CombineWithFilePath("artifacts/bin/BindGen/release/BindGen.dll");

void BindingsExec(string tool, string arguments)
{
    Information($"> {tool} {arguments}");
    var exit = StartProcess(tool, new ProcessSettings { Arguments = arguments, WorkingDirectory = bindingsRepo });
    if (exit != 0)
    {
        throw new CakeException($"{tool} exited with code {exit}");
    }
}

void BindingsGenerate(string extraArguments)
{
    BindingsExec("dotnet", $"build \"{bindingsProject}\" -c Release -nologo -clp:NoSummary -v:quiet");
    BindingsExec("dotnet", $"\"{bindingsTool}\" --config \"{bindingsConfig}\" {extraArguments}");
}

Task("Bindings")
    .Description("Regenerate the PJRT bindings and their layout tests from native/include/xlaprune/pjrt_c_api.h.")
    .Does(() => BindingsGenerate(string.Empty));

Task("BindingsCheck")
    .Description("Fail if regenerating the PJRT bindings would change any checked-in *.g.cs file.")
    .Does(() =>
{
    var scratch = bindingsRepo.Combine("artifacts/bindings-check");
    EnsureDirectoryExists(scratch);
    CleanDirectory(scratch);
    var generated = scratch.Combine("XlaPrune.Bindings");
    var generatedTests = scratch.Combine("XlaPrune.Bindings.Tests");
    BindingsGenerate($"--out \"{generated}\" --test-out \"{generatedTests}\"");

    var differences = new List<string>();
    foreach (var (checkedIn, fresh) in new[]
    {
        (bindingsRepo.Combine("bindings/XlaPrune.Bindings"), generated),
        (bindingsRepo.Combine("tests/XlaPrune.Bindings.Tests"), generatedTests),
    })
    {
        foreach (var file in GetFiles($"{checkedIn}/*.g.cs").Select(f => f.GetFilename().ToString())
            .Union(GetFiles($"{fresh}/*.g.cs").Select(f => f.GetFilename().ToString())).OrderBy(n => n, StringComparer.Ordinal))
        {
            var left = checkedIn.CombineWithFilePath(file);
            var right = fresh.CombineWithFilePath(file);
            IEnumerable<string> fileDiff;
            var fileExit = StartProcess("diff", new ProcessSettings
            {
                Arguments = $"-u --new-file \"{left}\" \"{right}\"",
                RedirectStandardOutput = true,
            }, out fileDiff);
            if (fileExit != 0)
            {
                differences.AddRange(fileDiff);
            }
        }
    }

    if (differences.Count > 0)
    {
        foreach (var line in differences)
        {
            Information(line);
        }

        throw new CakeException("Generated PJRT bindings are out of date: run the Bindings target and commit the result (diff above).");
    }

    Information("Generated PJRT bindings are up to date.");
});
