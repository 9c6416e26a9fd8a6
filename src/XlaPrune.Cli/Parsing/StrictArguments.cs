using System.Globalization;
using System.Numerics;

namespace XlaPrune.Cli;

/// <summary>
/// Checks a command line before Spectre binds it: every option must be one the command declares
/// (else the error names it and the nearest valid one), and every numeric value must parse and fit
/// its type (else the error names the option). Read from the settings classes, so an option added
/// to any command is covered without further code.
/// </summary>
internal static class StrictArguments
{
    private static readonly string[] s_helpNames = ["h", "?", "help"];

    public static void Check(IReadOnlyList<string> args)
    {
        var (entry, words) = Commands.Find(args);
        if (entry is null)
        {
            return; // no command: Spectre reports unknown commands (with its own suggestion) or shows help
        }

        var options = OptionTable.Of(entry.SettingsType);
        for (var i = words; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                if (i + 1 < args.Count)
                {
                    throw CliException.ForOption("--", $"{entry.Name} takes no arguments after '--', got '{Shorten(args[i + 1])}'");
                }

                return;
            }

            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                var separator = token.IndexOfAny(['=', ':'], 2);
                var name = separator < 0 ? token[2..] : token[2..separator];
                if (s_helpNames.Contains(name, StringComparer.Ordinal))
                {
                    continue;
                }

                var option = options.FirstOrDefault(o => o.Matches(name)) ?? throw Unknown(entry, options, "--" + name);
                if (option.TakesValue)
                {
                    var value = separator >= 0 ? token[(separator + 1)..] : i + 1 < args.Count ? args[++i] : null;
                    if (value is not null)
                    {
                        CheckValue(option, value);
                    }
                }
            }
            else if (token.Length > 1 && token[0] == '-' && char.IsLetter(token[1]))
            {
                // A group of short options: only help is spelled short.
                foreach (var c in token[1..].TakeWhile(c => c is not ('=' or ':')))
                {
                    if (!s_helpNames.Contains(c.ToString(), StringComparer.Ordinal))
                    {
                        throw Unknown(entry, options, "-" + c);
                    }
                }
            }
        }
    }

    /// <summary>Refuses a value that does not parse as, or does not fit, the option's numeric type, or is not finite.</summary>
    public static void CheckValue(OptionInfo option, string value)
    {
        ArgumentNullException.ThrowIfNull(option);
        var type = option.ValueType;
        if (type == typeof(int) || type == typeof(long))
        {
            var (min, max) = type == typeof(int) ? ((BigInteger)int.MinValue, (BigInteger)int.MaxValue) : (long.MinValue, long.MaxValue);
            if (!BigInteger.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw CliException.ForOption(option.Name, $"'{Shorten(value)}' is not an integer");
            }

            if (n < min || n > max)
            {
                throw CliException.ForOption(option.Name, $"{Shorten(value)} is out of range (an integer in [{min}, {max}])");
            }
        }
        else if (type == typeof(double) || type == typeof(float))
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                throw CliException.ForOption(option.Name, $"'{Shorten(value)}' is not a number");
            }

            if (!double.IsFinite(d) || (type == typeof(float) && !float.IsFinite((float)d)))
            {
                throw CliException.ForOption(option.Name, $"must be a finite number, got {Shorten(value)}");
            }
        }
    }

    /// <summary>At most 60 characters of a value, for messages (a huge value stays one readable line).</summary>
    public static string Shorten(string value) =>
        (value.Length <= 60 ? value : value[..57] + "...").ReplaceLineEndings(" ");

    private static CliException Unknown(CommandEntry entry, IReadOnlyList<OptionInfo> options, string given) =>
        options.Count == 0
            ? CliException.ForOption(Shorten(given), $"unknown option; {entry.Name} takes no options")
            : CliException.ForOption(Shorten(given), $"unknown option of {entry.Name} (nearest: {OptionTable.Nearest(options, given.TrimStart('-')).Name})");
}
