using System.Text;

namespace XlaPrune.Hlo;

/// <summary>The values of a constant as nested brackets, one level per dimension (HLO text and StableHLO share the shape).</summary>
internal static class LiteralText
{
    /// <summary>A scalar as its number; an array as <paramref name="open"/>a, b<paramref name="close"/> nested per dimension, row-major.</summary>
    public static void Append(StringBuilder sb, HloOp op, char open, char close, Func<double, ElementType, string> number)
    {
        var dims = op.Shape.Dims;
        var values = op.Literal!;
        if (dims.Length == 0)
        {
            sb.Append(number(values[0], op.Shape.ElementType));
            return;
        }

        var index = 0;
        void Level(int d)
        {
            sb.Append(open);
            for (var i = 0; i < dims[d]; i++)
            {
                sb.Append(i > 0 ? ", " : "");
                if (d == dims.Length - 1)
                {
                    sb.Append(number(values[index++], op.Shape.ElementType));
                }
                else
                {
                    Level(d + 1);
                }
            }

            sb.Append(close);
        }

        Level(0);
    }
}
