using System.Reflection;
using Spectre.Console.Cli;

namespace XlaPrune.Cli;

/// <summary>One option of a settings class, read from its <see cref="CommandOptionAttribute"/>.</summary>
internal sealed record OptionInfo(PropertyInfo Property, CommandOptionAttribute Attribute)
{
    /// <summary>The spelling shown to users, e.g. <c>--ratio</c>.</summary>
    public string Name => Attribute.LongNames.Count > 0 ? "--" + Attribute.LongNames[0] : "-" + Attribute.ShortNames[0];

    /// <summary>False for flags such as <c>--json</c>.</summary>
    public bool TakesValue => Attribute.ValueName is not null;

    /// <summary>The property's type without <see cref="Nullable{T}"/>.</summary>
    public Type ValueType => Nullable.GetUnderlyingType(Property.PropertyType) ?? Property.PropertyType;

    public bool Matches(string longName) => Attribute.LongNames.Contains(longName, StringComparer.Ordinal);
}

/// <summary>The options and positional arguments a settings class declares, found by reflection.</summary>
internal static class OptionTable
{
    public static IReadOnlyList<OptionInfo> Of(Type settingsType) =>
        [.. settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<CommandOptionAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => new OptionInfo(x.Property, x.Attribute!))];

    /// <summary>Properties bound to positional arguments (<see cref="CommandArgumentAttribute"/>), by position.</summary>
    public static IReadOnlyList<(PropertyInfo Property, CommandArgumentAttribute Attribute)> Arguments(Type settingsType) =>
        [.. settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<CommandArgumentAttribute>()!))
            .Where(x => x.Attribute is not null)
            .OrderBy(x => x.Attribute.Position)];

    /// <summary>The option nearest to <paramref name="name"/> by edit distance (ties: the first declared).</summary>
    public static OptionInfo Nearest(IReadOnlyList<OptionInfo> options, string name) =>
        options.MinBy(o => o.Attribute.LongNames.Select(l => EditDistance(l, name)).DefaultIfEmpty(int.MaxValue).Min())!;

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    public static int EditDistance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
