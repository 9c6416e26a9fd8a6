namespace XlaPrune.Hlo;

// Element-wise ops. Names, arity, types, evaluation and gradients come from OpTable.
public sealed partial class HloBuilder
{
    private static void RequireFloat(OpInfo info, HloOp x)
    {
        if (info.FloatOnly && x.Shape.ElementType != ElementType.F32)
        {
            throw Error($"{info.Opcode}: operand {S(x.Shape)} is not floating point");
        }
    }

    /// <summary>An element-wise unary op.</summary>
    public HloOp Unary(UnaryOp op, HloOp x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var info = OpTable.Of(op);
        RequireArray(info.Opcode, x);
        RequireFloat(info, x);
        return New(info.Opcode, x.Shape.WithDimensions(x.Shape.Dims), [x]);
    }

    /// <summary>An element-wise binary op; shapes must be equal (no implicit broadcast).</summary>
    public HloOp Binary(BinaryOp op, HloOp a, HloOp b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var info = OpTable.Of(op);
        RequireArray(info.Opcode, a);
        RequireArray(info.Opcode, b);
        if (!a.Shape.Compatible(b.Shape))
        {
            throw Error($"{info.Opcode}: operand shapes {S(a.Shape)} and {S(b.Shape)} differ");
        }

        RequireFloat(info, a);
        return New(info.Opcode, a.Shape.WithDimensions(a.Shape.Dims), [a, b]);
    }

    /// <summary>a + b.</summary>
    public HloOp Add(HloOp a, HloOp b) => Binary(BinaryOp.Add, a, b);

    /// <summary>a - b.</summary>
    public HloOp Subtract(HloOp a, HloOp b) => Binary(BinaryOp.Subtract, a, b);

    /// <summary>a · b.</summary>
    public HloOp Multiply(HloOp a, HloOp b) => Binary(BinaryOp.Multiply, a, b);

    /// <summary>a / b.</summary>
    public HloOp Divide(HloOp a, HloOp b) => Binary(BinaryOp.Divide, a, b);

    /// <summary>max(a, b).</summary>
    public HloOp Maximum(HloOp a, HloOp b) => Binary(BinaryOp.Maximum, a, b);

    /// <summary>min(a, b).</summary>
    public HloOp Minimum(HloOp a, HloOp b) => Binary(BinaryOp.Minimum, a, b);

    /// <summary>a^b (f32).</summary>
    public HloOp Power(HloOp a, HloOp b) => Binary(BinaryOp.Power, a, b);

    /// <summary>-x.</summary>
    public HloOp Negate(HloOp x) => Unary(UnaryOp.Negate, x);

    /// <summary>|x|.</summary>
    public HloOp Abs(HloOp x) => Unary(UnaryOp.Abs, x);

    /// <summary>e^x.</summary>
    public HloOp Exp(HloOp x) => Unary(UnaryOp.Exponential, x);

    /// <summary>ln x.</summary>
    public HloOp Log(HloOp x) => Unary(UnaryOp.Log, x);

    /// <summary>1/√x.</summary>
    public HloOp Rsqrt(HloOp x) => Unary(UnaryOp.Rsqrt, x);

    /// <summary>√x.</summary>
    public HloOp Sqrt(HloOp x) => Unary(UnaryOp.Sqrt, x);

    /// <summary>sign(x): -1, 0 or 1 (NaN stays NaN).</summary>
    public HloOp Sign(HloOp x) => Unary(UnaryOp.Sign, x);

    /// <summary>tanh x.</summary>
    public HloOp Tanh(HloOp x) => Unary(UnaryOp.Tanh, x);

    /// <summary>⌊x⌋.</summary>
    public HloOp Floor(HloOp x) => Unary(UnaryOp.Floor, x);

    /// <summary>
    /// clamp(min, x, max) = min(max(x, min), max), XLA's operand order; each bound is a scalar or has the shape of
    /// <paramref name="x"/>.
    /// </summary>
    public HloOp Clamp(HloOp min, HloOp x, HloOp max)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(max);
        RequireArray("clamp", x);
        bool Fits(HloOp bound) => !bound.Shape.IsTuple && (bound.Shape.Compatible(x.Shape) || (bound.Shape.Rank == 0 && bound.Shape.ElementType == x.Shape.ElementType));
        if (!Fits(min) || !Fits(max))
        {
            throw Error($"clamp: bounds {S(min.Shape)} and {S(max.Shape)} must be scalars of the element type of operand {S(x.Shape)} or have its shape");
        }

        return New("clamp", x.Shape.WithDimensions(x.Shape.Dims), [min, x, max]);
    }

    /// <summary>Element-wise comparison giving pred.</summary>
    public HloOp Compare(HloOp a, HloOp b, ComparisonDirection direction)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        RequireArray("compare", a);
        if (!a.Shape.Compatible(b.Shape))
        {
            throw Error($"compare: operand shapes {S(a.Shape)} and {S(b.Shape)} differ");
        }

        return New("compare", a.Shape.WithElementType(ElementType.Pred), [a, b], (bb, o, s, ops, n) => new HloOp(bb, o, s, ops, n) { Direction = direction });
    }

    /// <summary>pred ? onTrue : onFalse, element-wise.</summary>
    public HloOp Select(HloOp pred, HloOp onTrue, HloOp onFalse)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(onTrue);
        ArgumentNullException.ThrowIfNull(onFalse);
        if (pred.Shape.ElementType != ElementType.Pred || !pred.Shape.Dims.AsSpan().SequenceEqual(onTrue.Shape.Dims) || !onTrue.Shape.Compatible(onFalse.Shape))
        {
            throw Error($"select: shapes {S(pred.Shape)}, {S(onTrue.Shape)} and {S(onFalse.Shape)} do not fit (pred and two equal shapes required)");
        }

        return New("select", onTrue.Shape.WithDimensions(onTrue.Shape.Dims), [pred, onTrue, onFalse]);
    }
}
