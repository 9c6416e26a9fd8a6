using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace XlaPrune.Hlo;

/// <summary>One element of an element-wise op from its operands' elements, in double precision; <paramref name="type"/> is the result's element type.</summary>
public delegate double ElementFunction(ReadOnlySpan<double> x, ElementType type);

/// <summary>
/// Gradient rule of an element-wise op: for each operand k with <paramref name="need"/>(k), writes its cotangent into
/// <paramref name="r"/>[k], given the op and the cotangent <paramref name="g"/> of its result. A slot left null gets nothing.
/// </summary>
internal delegate void GradientRule(GradientContext d, HloOp op, HloOp g, Func<int, bool> need, HloOp?[] r);

/// <summary>What the HLO layer knows about one opcode.</summary>
/// <param name="Opcode">HLO opcode, as in HLO text and HloInstructionProto, e.g. <c>get-tuple-element</c>.</param>
/// <param name="StableHlo">StableHLO op name without the dialect, e.g. <c>get_tuple_element</c>.</param>
/// <param name="Arity">Operand count; -1 when variadic.</param>
/// <param name="ElementWise">Whether result element i depends only on operand elements i (scalar operands broadcast).</param>
public sealed record OpInfo(string Opcode, string StableHlo, int Arity, bool ElementWise)
{
    /// <summary>Whether the operands must be floating point.</summary>
    public bool FloatOnly { get; init; }

    /// <summary>Element function of an element-wise op whose value depends on nothing but its operands (null otherwise, e.g. <c>compare</c>, whose direction is an attribute).</summary>
    public ElementFunction? Evaluate { get; init; }

    /// <summary>Whether <see cref="Autodiff"/> differentiates it through this table (piecewise-constant ops have a zero gradient).</summary>
    public bool HasGradientRule => Gradient is not null;

    internal GradientRule? Gradient { get; init; }
}

/// <summary>
/// The op table: one row per opcode the builder makes. The builder, the StableHLO writer, <see cref="Autodiff"/> and the
/// test evaluator read it; an element-wise op is added by one row here, one enum member (<see cref="UnaryOp"/> or
/// <see cref="BinaryOp"/>, whose lower-case name is the opcode) and one builder method. docs/hlo.md lists the rows.
/// </summary>
public static class OpTable
{
    /// <summary>Zero gradient: piecewise-constant ops (sign, floor, compare).</summary>
    private static readonly GradientRule s_zero = (_, _, _, _, _) => { };

    private static readonly OpInfo[] s_ops =
    [
        // ---- element-wise unary
        Unary("negate", v => -v, (d, op, g, _, r) => r[0] = d.B.Negate(g), floatOnly: false),
        Unary("abs", Math.Abs, (d, op, g, _, r) => r[0] = d.B.Multiply(g, d.B.Sign(op.Ops[0])), floatOnly: false),
        Unary("sign", v => v > 0 ? 1 : v < 0 ? -1 : v, s_zero, floatOnly: false),
        Unary("exponential", Math.Exp, (d, op, g, _, r) => r[0] = d.B.Multiply(g, op)),
        Unary("log", Math.Log, (d, op, g, _, r) => r[0] = d.B.Divide(g, op.Ops[0])),
        Unary("sqrt", Math.Sqrt, (d, op, g, _, r) => r[0] = d.B.Divide(d.B.Multiply(g, d.Full(0.5f, g)), op)),

        // d/dx x^-1/2 = -1/2 · y / x
        Unary("rsqrt", v => 1 / Math.Sqrt(v), (d, op, g, _, r) => r[0] = d.B.Multiply(g, d.B.Divide(d.B.Multiply(op, d.Full(-0.5f, g)), op.Ops[0]))),
        Unary("tanh", Math.Tanh, (d, op, g, _, r) => r[0] = d.B.Multiply(g, d.B.Subtract(d.Full(1f, g), d.B.Multiply(op, op)))),
        Unary("floor", Math.Floor, s_zero),

        // ---- element-wise binary
        Binary("add", (a, b) => a + b, (_, _, g, _, r) => (r[0], r[1]) = (g, g)),
        Binary("subtract", (a, b) => a - b, (d, _, g, need, r) => (r[0], r[1]) = (g, need(1) ? d.B.Negate(g) : null)),
        Binary("multiply", (a, b) => a * b, (d, op, g, need, r) =>
        {
            r[0] = need(0) ? d.B.Multiply(g, op.Ops[1]) : null;
            r[1] = need(1) ? d.B.Multiply(g, op.Ops[0]) : null;
        }),
        new("divide", "divide", 2, ElementWise: true)
        {
            Evaluate = (x, t) => t == ElementType.F32 ? x[0] / x[1] : Math.Truncate(x[0] / x[1]),
            Gradient = (d, op, g, need, r) =>
            {
                r[0] = need(0) ? d.B.Divide(g, op.Ops[1]) : null;
                r[1] = need(1) ? d.B.Negate(d.B.Divide(d.B.Multiply(g, op), op.Ops[1])) : null;
            },
        },
        Binary("maximum", Math.Max, (d, op, g, need, r) => MinMax(d, op, g, need, r, ComparisonDirection.Gt)),
        Binary("minimum", Math.Min, (d, op, g, need, r) => MinMax(d, op, g, need, r, ComparisonDirection.Lt)),
        Binary("power", Math.Pow, Power, floatOnly: true),

        // ---- other element-wise
        new("compare", "compare", 2, ElementWise: true) { Gradient = s_zero },
        new("select", "select", 3, ElementWise: true) { Evaluate = (x, _) => x[0] != 0 ? x[1] : x[2], Gradient = Select },

        // clamp(min, x, max); min and max may be scalars.
        new("clamp", "clamp", 3, ElementWise: true) { Evaluate = (x, _) => Math.Min(Math.Max(x[1], x[0]), x[2]), Gradient = Clamp },
        new("convert", "convert", 1, ElementWise: true)
        {
            Evaluate = (x, t) => t switch { ElementType.F32 => (float)x[0], ElementType.Pred => x[0] != 0 ? 1 : 0, _ => Math.Truncate(x[0]) },
            Gradient = (d, op, g, _, r) => r[0] = op.Ops[0].Shape.ElementType == ElementType.F32 ? d.B.Convert(g, ElementType.F32) : null,
        },

        // ---- the rest (gradients, if any, are in Autodiff)
        new("parameter", "parameter", 0, ElementWise: false),
        new("constant", "constant", 0, ElementWise: false),
        new("iota", "iota", 0, ElementWise: false),
        new("tuple", "tuple", -1, ElementWise: false),
        new("get-tuple-element", "get_tuple_element", 1, ElementWise: false),
        new("broadcast", "broadcast_in_dim", 1, ElementWise: false),
        new("reshape", "reshape", 1, ElementWise: false),
        new("transpose", "transpose", 1, ElementWise: false),
        new("slice", "slice", 1, ElementWise: false),
        new("pad", "pad", 2, ElementWise: false),
        new("concatenate", "concatenate", -1, ElementWise: false),
        new("convolution", "convolution", 2, ElementWise: false),
        new("dot", "dot_general", 2, ElementWise: false),
        new("reduce", "reduce", 2, ElementWise: false),
        new("reduce-window", "reduce_window", 2, ElementWise: false),
        new("select-and-scatter", "select_and_scatter", 3, ElementWise: false),
        new("rng-bit-generator", "rng_bit_generator", 1, ElementWise: false),
        new("all-reduce", "all_reduce", 1, ElementWise: false),
    ];

    private static readonly FrozenDictionary<string, OpInfo> s_byOpcode = s_ops.ToFrozenDictionary(o => o.Opcode, StringComparer.Ordinal);

    private static readonly FrozenDictionary<UnaryOp, OpInfo> s_unary = ByEnumName<UnaryOp>(1);

    private static readonly FrozenDictionary<BinaryOp, OpInfo> s_binary = ByEnumName<BinaryOp>(2);

    /// <summary>Every row, element-wise ops first.</summary>
    public static IReadOnlyList<OpInfo> All => s_ops;

    /// <summary>The row of <paramref name="opcode"/>; throws <see cref="ArgumentException"/> naming an unknown opcode.</summary>
    public static OpInfo Of(string opcode) =>
        TryGet(opcode, out var info) ? info : throw new ArgumentException($"op table: unknown opcode {opcode}", nameof(opcode));

    /// <summary>The row of a unary op.</summary>
    public static OpInfo Of(UnaryOp op) => s_unary[op];

    /// <summary>The row of a binary op.</summary>
    public static OpInfo Of(BinaryOp op) => s_binary[op];

    /// <summary>The row of <paramref name="opcode"/>, if there is one.</summary>
    public static bool TryGet(string opcode, [NotNullWhen(true)] out OpInfo? info) => s_byOpcode.TryGetValue(opcode, out info);

    private static OpInfo Unary(string opcode, Func<double, double> f, GradientRule gradient, bool floatOnly = true) =>
        new(opcode, opcode, 1, ElementWise: true) { FloatOnly = floatOnly, Evaluate = (x, _) => f(x[0]), Gradient = gradient };

    private static OpInfo Binary(string opcode, Func<double, double, double> f, GradientRule gradient, bool floatOnly = false) =>
        new(opcode, opcode, 2, ElementWise: true) { FloatOnly = floatOnly, Evaluate = (x, _) => f(x[0], x[1]), Gradient = gradient };

    /// <summary>Enum member <c>Foo</c> is opcode <c>foo</c>; a member without a row of the right arity fails the type initializer.</summary>
    private static FrozenDictionary<T, OpInfo> ByEnumName<T>(int arity)
        where T : struct, Enum =>
        Enum.GetValues<T>().ToFrozenDictionary(v => v, v => s_ops.SingleOrDefault(o => o.Arity == arity && o.ElementWise && string.Equals(o.Opcode, v.ToString(), StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"op table: no {arity}-operand element-wise row for {typeof(T).Name}.{v}"));

    // Ties send the gradient to the second operand: ReLU max(x, 0) has gradient 0 at 0, as in PyTorch.
    private static void MinMax(GradientContext d, HloOp op, HloOp g, Func<int, bool> need, HloOp?[] r, ComparisonDirection firstWins)
    {
        var first = d.B.Compare(op.Ops[0], op.Ops[1], firstWins);
        var zero = d.Zeros(g.Shape);
        r[0] = need(0) ? d.B.Select(first, g, zero) : null;
        r[1] = need(1) ? d.B.Select(first, zero, g) : null;
    }

    private static void Select(GradientContext d, HloOp op, HloOp g, Func<int, bool> need, HloOp?[] r)
    {
        var zero = d.Zeros(g.Shape);
        r[1] = need(1) ? d.B.Select(op.Ops[0], g, zero) : null;
        r[2] = need(2) ? d.B.Select(op.Ops[0], zero, g) : null;
    }

    // d/da a^p = p · a^(p-1); d/dp a^p = a^p · ln a, taken as 0 where a = 0 (as PyTorch does for p ≥ 0).
    private static void Power(GradientContext d, HloOp op, HloOp g, Func<int, bool> need, HloOp?[] r)
    {
        var b = d.B;
        var (a, p) = (op.Ops[0], op.Ops[1]);
        r[0] = need(0) ? b.Multiply(g, b.Multiply(p, b.Power(a, b.Subtract(p, d.Full(1f, g))))) : null;
        if (need(1))
        {
            var zero = d.Zeros(g.Shape);
            r[1] = b.Select(b.Compare(a, zero, ComparisonDirection.Eq), zero, b.Multiply(g, b.Multiply(op, b.Log(a))));
        }
    }

    // The operand gets g where min ≤ x ≤ max (where clamp leaves it unchanged), a bound gets g where it binds; a scalar bound sums.
    private static void Clamp(GradientContext d, HloOp op, HloOp g, Func<int, bool> need, HloOp?[] r)
    {
        var b = d.B;
        var x = op.Ops[1];
        var zero = d.Zeros(g.Shape);
        r[1] = need(1) ? b.Select(b.Compare(op, x, ComparisonDirection.Eq), g, zero) : null;
        HloOp Bound(HloOp bound, ComparisonDirection binds)
        {
            var full = bound.Shape.Rank == 0 && x.Shape.Rank > 0 ? b.BroadcastScalar(bound, x.Shape.Dims) : bound;
            var gb = b.Select(b.Compare(x, full, binds), g, zero);
            return full == bound ? gb : d.Sum(gb, [.. Enumerable.Range(0, x.Shape.Rank).Select(i => (long)i)]);
        }

        r[0] = need(0) ? Bound(op.Ops[0], ComparisonDirection.Lt) : null;
        r[2] = need(2) ? Bound(op.Ops[2], ComparisonDirection.Gt) : null;
    }
}
