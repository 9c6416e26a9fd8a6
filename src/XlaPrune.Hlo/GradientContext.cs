namespace XlaPrune.Hlo;

/// <summary>What gradient rules share while <see cref="Autodiff"/> runs: the builder and the reducers it made once.</summary>
internal sealed class GradientContext(HloBuilder builder)
{
    private HloComputation? _add;
    private HloComputation? _ge;

    public HloBuilder B { get; } = builder;

    public HloComputation AddF32 => _add ??= B.ScalarComputation("add_f32", ElementType.F32, BinaryOp.Add);

    public HloComputation GeF32 => _ge ??= B.ComparatorComputation("ge_f32", ElementType.F32, ComparisonDirection.Ge);

    public HloOp Zeros(Shape s) => B.BroadcastScalar(B.Constant(0f), s.Dims);

    /// <summary>f32 <paramref name="value"/> in the shape of <paramref name="like"/>.</summary>
    public HloOp Full(float value, HloOp like) => B.BroadcastScalar(B.Constant(value), like.Shape.Dims);

    public HloOp Sum(HloOp x, long[] dims) => B.Reduce(x, B.Constant(0f), dims, AddF32);
}
