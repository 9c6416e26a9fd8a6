using System.Globalization;

namespace XlaPrune.Layout;

/// <summary>
/// Reads XLA's shape text: arrays <c>f32[128,256]{1,0:T(8,128)}</c> (dimensions may be bounded, <c>&lt;=8</c>),
/// scalars <c>f32[]{:T(256)}</c>, tuples <c>(f32[2]{0}, s32[])</c>, tokens <c>token[]</c>. Layout suffixes other
/// than T, L, E and S (D, #, *, SC, P, M) are read and skipped.
/// </summary>
internal sealed class XlaTextReader(string text, int position = 0)
{
    public int Position { get; private set; } = position;

    /// <summary>A shape: the arrays of a tuple in order (nested tuples flattened), or the one array.</summary>
    public XlaShape ReadShape()
    {
        SkipSpaces();
        if (Peek() == '(')
        {
            Position++;
            var elements = new List<XlaShape>();
            SkipSpaces();
            if (Peek() == ')')
            {
                Position++;
                return new XlaShape(null, elements);
            }

            while (true)
            {
                elements.Add(ReadShape());
                SkipSpaces();
                var c = Next("',' or ')' in a tuple shape");
                if (c == ')')
                {
                    return new XlaShape(null, elements);
                }

                if (c != ',')
                {
                    throw Error($"expected ',' or ')' in a tuple shape, got '{c}'");
                }
            }
        }

        var start = Position;
        while (Position < text.Length && (char.IsAsciiLetterOrDigit(text[Position]) || text[Position] == '_'))
        {
            Position++;
        }

        var type = text[start..Position];
        if (type.Length == 0)
        {
            throw Error("expected an element type such as f32");
        }

        Expect('[');
        var dims = new List<long>();
        SkipSpaces();
        if (Peek() != ']')
        {
            while (true)
            {
                SkipSpaces();
                if (Peek() == '<')
                {
                    Position++;
                    Expect('='); // a bounded dynamic dimension: its bound is what memory holds
                }

                dims.Add(ReadInteger("a dimension size"));
                SkipSpaces();
                if (Peek() == ']')
                {
                    break;
                }

                Expect(',');
            }
        }

        Expect(']');
        XlaLayout? layout = Peek() == '{' ? ReadLayout() : null;
        return new XlaShape(new XlaArray(type.ToLowerInvariant(), dims, layout), []);
    }

    /// <summary>A layout in braces.</summary>
    public XlaLayout ReadLayout()
    {
        Expect('{');
        var minorToMajor = new List<int>();
        var tiles = new List<IReadOnlyList<long>>();
        long elementBits = 0, memorySpace = 0, tail = 1;
        SkipSpaces();
        while (Peek() is not ('}' or ':'))
        {
            minorToMajor.Add(checked((int)ReadInteger("a dimension number")));
            SkipSpaces();
            if (Peek() == ',')
            {
                Position++;
                SkipSpaces();
            }
        }

        if (Peek() == ':')
        {
            Position++;
            var lastTag = "";
            while (Peek() != '}')
            {
                if (Position >= text.Length)
                {
                    throw Error("expected '}', got the end");
                }

                var start = Position;
                while (Position < text.Length && (char.IsAsciiLetter(text[Position]) || text[Position] is '#' or '*'))
                {
                    Position++;
                }

                var tag = text[start..Position];
                if (tag.Length == 0 && Peek() == '(' && lastTag == "T")
                {
                    tag = "T"; // T(8,128)(2,1): each further parenthesis is one more tile
                }

                lastTag = tag;
                if (tag.Length == 0)
                {
                    throw Error($"expected a layout part such as T(8,128), got '{Peek()}'");
                }

                Expect('(');
                var open = Position;
                var depth = 1;
                while (depth > 0)
                {
                    var c = Next("')'");
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                }

                var inner = text[open..(Position - 1)];
                switch (tag)
                {
                    case "T":
                        tiles.Add([.. inner.Split(',').Select(t => t.Trim() == "*" ? XlaLayout.CombinedDimension : ParseLong(t, "a tile size"))]);
                        break;
                    case "E":
                        elementBits = ParseLong(inner, "an element size");
                        break;
                    case "S":
                        memorySpace = ParseLong(inner, "a memory space");
                        break;
                    case "L":
                        tail = ParseLong(inner, "a tail padding alignment");
                        break;
                    default:
                        break; // D, #, *, SC, P, M: not about size
                }
            }
        }

        Expect('}');
        return new XlaLayout(minorToMajor, tiles, elementBits, memorySpace, tail);
    }

    public void ExpectEnd()
    {
        SkipSpaces();
        if (Position != text.Length)
        {
            throw Error($"unexpected '{text[Position]}'");
        }
    }

    public void SkipSpaces()
    {
        while (Position < text.Length && char.IsWhiteSpace(text[Position]))
        {
            Position++;
        }
    }

    private long ParseLong(string s, string what) =>
        long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"expected {what}, got '{s.Trim()}'");

    private long ReadInteger(string what)
    {
        var start = Position;
        if (Peek() == '-')
        {
            Position++;
        }

        while (Position < text.Length && char.IsAsciiDigit(text[Position]))
        {
            Position++;
        }

        if (Position == start || text[start..Position] == "-")
        {
            throw Error(Position < text.Length ? $"expected {what}, got '{text[Position]}'" : $"expected {what}, got the end");
        }

        return ParseLong(text[start..Position], what);
    }

    private char Peek() => Position < text.Length ? text[Position] : '\0';

    private char Next(string what) => Position < text.Length ? text[Position++] : throw Error($"expected {what}, got the end");

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error(Position < text.Length ? $"expected '{c}', got '{text[Position]}'" : $"expected '{c}', got the end");
        }

        Position++;
    }

    private FormatException Error(string message) => new($"{message} at column {Position + 1} of '{text}'");
}

/// <summary>A shape read from text: one array, or (when <see cref="Array"/> is null) the elements of a tuple.</summary>
/// <param name="Array">The array, or null for a tuple.</param>
/// <param name="Elements">The tuple's elements.</param>
internal sealed record XlaShape(XlaArray? Array, IReadOnlyList<XlaShape> Elements);
