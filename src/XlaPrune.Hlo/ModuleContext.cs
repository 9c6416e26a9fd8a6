using System.Globalization;

namespace XlaPrune.Hlo;

/// <summary>State shared by all builders of one module: unique names.</summary>
internal sealed class ModuleContext
{
    private readonly HashSet<string> _names = [];
    private int _next = 1;

    public string Unique(string stem)
    {
        var name = stem;
        while (!_names.Add(name))
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{stem}.{_next++}");
        }

        return name;
    }

    public string Next(string opcode)
    {
        string name;
        do
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{opcode}.{_next++}");
        }
        while (!_names.Add(name));
        return name;
    }
}
