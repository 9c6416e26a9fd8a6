using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using System.Globalization;
using System.Reflection;
using Spectre.Console.Cli;
using XlaPrune.Models;

namespace XlaPrune.Cli;

/// <summary>
/// Checks every command's bound settings before it runs, from attributes alone: numbers are finite
/// and inside their <see cref="RangeAttribute"/>, no option was left unrecognised, and output paths
/// are writable regular files (or folders), none given twice nor equal to an input.
/// </summary>
internal sealed class SettingsGuard : ICommandInterceptor
{
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        if (context.Remaining.Parsed.FirstOrDefault() is { } unknown)
        {
            var options = OptionTable.Of(settings.GetType());
            throw CliException.ForOption(StrictArguments.Shorten(unknown.Key), options.Count == 0
                ? $"unknown option; {context.Name} takes no options"
                : $"unknown option of {context.Name} (nearest: {OptionTable.Nearest(options, unknown.Key.TrimStart('-')).Name})");
        }

        foreach (var option in OptionTable.Of(settings.GetType()))
        {
            CheckNumber(option, option.Property.GetValue(settings));
        }

        CheckPaths(context, settings);
    }

    /// <summary>Refuses NaN and infinities, and values outside the property's <see cref="RangeAttribute"/>.</summary>
    public static void CheckNumber(OptionInfo option, object? value)
    {
        ArgumentNullException.ThrowIfNull(option);
        double? number = value switch
        {
            int i => i,
            long l => l,
            double d => d,
            float f => f,
            _ => null,
        };
        if (number is not { } x)
        {
            return;
        }

        var text = Convert.ToString(value, CultureInfo.InvariantCulture);
        if (!double.IsFinite(x))
        {
            throw CliException.ForOption(option.Name, $"must be a finite number, got {text}");
        }

        if (option.Property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            var min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
            var max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
            var low = range.MinimumIsExclusive ? x > min : x >= min;
            var high = range.MaximumIsExclusive ? x < max : x <= max;
            if (!low || !high)
            {
                var interval = $"{(range.MinimumIsExclusive ? '(' : '[')}{Format(range.Minimum)}, {Format(range.Maximum)}{(range.MaximumIsExclusive ? ')' : ']')}";
                throw CliException.ForOption(option.Name, $"must be in {interval}, got {text}");
            }
        }
    }

    /// <summary>Output paths: refused if a link, device, FIFO or (for files) a directory, or given twice; before anything is written.</summary>
    public static void CheckPaths(CommandContext context, CommandSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var outputs = new List<(string Option, string Path)>();
        var inputs = new List<(string Option, string Path)>();
        foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetValue(settings) is not string path)
            {
                continue;
            }

            var name = property.GetCustomAttribute<CommandOptionAttribute>() is { } o
                ? "--" + o.LongNames[0]
                : property.GetCustomAttribute<CommandArgumentAttribute>()?.ValueName ?? property.Name;
            var isPath = property.GetCustomAttribute<OutputFileAttribute>() is not null || property.GetCustomAttribute<OutputDirectoryAttribute>() is not null
                || property.GetCustomAttribute<InputFileAttribute>() is not null;
            if (path.Length == 0)
            {
                // Defaults of "" mean "not given" and are left to the command's own checks; a given "" is refused.
                if (isPath && context.Arguments.Any(a => a == name || a.StartsWith(name + "=", StringComparison.Ordinal) || a.StartsWith(name + ":", StringComparison.Ordinal)))
                {
                    throw CliException.ForOption(name, "the path is empty");
                }

                continue;
            }

            if (property.GetCustomAttribute<OutputFileAttribute>() is not null)
            {
                Output.CheckOutputFile(path, name);
                outputs.Add((name, path));
            }
            else if (property.GetCustomAttribute<OutputDirectoryAttribute>() is { } dir)
            {
                CheckOutputDirectory(path, name);
                foreach (var file in dir.Files)
                {
                    var inside = Path.Combine(path, file);
                    Output.CheckOutputFile(inside, name);
                    outputs.Add((name, inside));
                }
            }
            else if (property.GetCustomAttribute<InputFileAttribute>() is not null)
            {
                CheckInputFile(path, name);
                inputs.Add((name, path));
            }
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            var key = Canonical(outputs[i].Path);
            foreach (var other in outputs.Take(i).Concat(inputs))
            {
                if (string.Equals(key, Canonical(other.Path), StringComparison.Ordinal))
                {
                    var both = other.Option == outputs[i].Option ? $"twice by {other.Option}" : $"by both {other.Option} and {outputs[i].Option}";
                    throw CliException.About(ExitCodes.BadOutput, outputs[i].Path, $"the same file is named {both}");
                }
            }
        }
    }

    // A device or FIFO as an input would block or never end (/dev/zero); missing files and
    // directories are left to the command, whose messages say more.
    private static void CheckInputFile(string path, string option)
    {
        try
        {
            var kind = FileKinds.Of(path);
            if (kind == FileKind.SymbolicLink && File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target)
            {
                kind = target.Exists || Directory.Exists(target.FullName) ? FileKinds.Of(target.FullName) : FileKind.Missing;
            }

            if (kind is FileKind.CharacterDevice or FileKind.BlockDevice or FileKind.Fifo or FileKind.Socket)
            {
                throw CliException.About(ExitCodes.BadInput, option, $"cannot read {path}: it is {FileKinds.Describe(kind)}, not a regular file");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unreadable names are reported by the command when it reads them.
        }
    }

    private static void CheckOutputDirectory(string path, string option)
    {
        FileKind kind;
        try
        {
            kind = FileKinds.Of(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw CliException.About(ExitCodes.BadOutput, option, $"cannot write to {path}: {e.Message}", e);
        }

        if (kind is not (FileKind.Missing or FileKind.Directory))
        {
            var what = kind == FileKind.Regular ? "a file" : FileKinds.Describe(kind);
            throw CliException.About(ExitCodes.BadOutput, option, $"cannot write to {path}: it is {what}, not a directory");
        }

        if (Output.FileAncestor(Path.GetDirectoryName(Path.GetFullPath(path))) is { } file)
        {
            throw CliException.About(ExitCodes.BadOutput, option, $"cannot write to {path}: {file} is a file, not a directory");
        }
    }

    // The absolute path with its folder's links resolved, so ./a, a and dir-link/a compare equal.
    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir))
        {
            return full;
        }

        try
        {
            var resolved = new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dir;
            return Path.Combine(resolved, Path.GetFileName(full));
        }
        catch (IOException)
        {
            return full; // an unresolvable folder: compared as given
        }
    }

    private static string Format(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
