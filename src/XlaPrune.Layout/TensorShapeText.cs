using System.Globalization;

namespace XlaPrune.Layout;

/// <summary>An array shape in XLA's text syntax without a layout, e.g. <c>f32[128,32,32,18]</c> or <c>bf16[]</c>.</summary>
public static class TensorShapeText
{
    /// <summary>Parses <paramref name="text"/>; anything else is a <see cref="FormatException"/> that quotes it.</summary>
    public static (ElementType Type, long[] Dims) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var open = text.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || !text.EndsWith(']'))
        {
            throw new FormatException($"shape '{text}': expected TYPE[D0,D1,...] such as f32[128,32,32,18] (no layout)");
        }

        ElementType type;
        try
        {
            type = TileRules.Parse(text[..open]);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"shape '{text}': {e.Message}", e);
        }

        var body = text[(open + 1)..^1];
        if (body.Length == 0)
        {
            return (type, []);
        }

        var dims = new List<long>();
        foreach (var part in body.Split(','))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d < 1)
            {
                throw new FormatException($"shape '{text}': dimension '{part}' is not a whole number of at least 1");
            }

            dims.Add(d);
        }

        return (type, [.. dims]);
    }
}
