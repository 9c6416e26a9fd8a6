using XlaPrune.Hlo;

namespace XlaPrune.Hlo.Tests;

public class BuilderTests
{
    [Fact]
    public void Shapes_print_in_hlo_text_form()
    {
        Assert.Equal("f32[8,3,32,32]{3,2,1,0}", Shape.F32(8, 3, 32, 32).ToString());
        Assert.Equal("f32[]", Shape.F32().ToString());
        Assert.Equal("(f32[2]{0}, s32[])", Shape.Tuple(Shape.F32(2), Shape.Scalar(ElementType.S32)).ToString());
        Assert.Equal("f32[8,128]{0,1:T(8,128)}", Shape.F32(8, 128).WithLayout(new Layout([0, 1], [new Tile([8, 128])])).ToString());
        Assert.Equal("u64[2]", Shape.Array(ElementType.U64, 2).ToText(withLayout: false));
    }

    [Fact]
    public void Tuple_shape_proto_has_no_layout_and_scalar_has_an_empty_one()
    {
        var p = Shape.Tuple(Shape.F32(2, 3), Shape.F32()).ToProto();
        Assert.Null(p.Layout);
        Assert.Equal([1L, 0L], p.TupleShapes[0].Layout.MinorToMajor);
        Assert.NotNull(p.TupleShapes[1].Layout);
        Assert.Empty(p.TupleShapes[1].Layout.MinorToMajor);
    }

    private static ArgumentException Fails(Action<HloBuilder> build)
    {
        var b = new HloBuilder("errors");
        return Assert.Throws<ArgumentException>(() => build(b));
    }

    [Fact]
    public void Elementwise_shape_mismatch_names_op_and_shapes()
    {
        var e = Fails(b => b.Add(b.Parameter(Shape.F32(2, 3), "a"), b.Parameter(Shape.F32(3, 2), "b")));
        Assert.Equal("add: operand shapes f32[2,3] and f32[3,2] differ", e.Message);
    }

    [Fact]
    public void Convolution_feature_mismatch_names_shapes_and_labels()
    {
        var e = Fails(b => b.Convolution(b.Parameter(Shape.F32(8, 3, 32, 32), "x"), b.Parameter(Shape.F32(64, 4, 3, 3), "w"), ConvDims.Nchw2D,
            [new WindowDim(3, 1, 1, 1), new WindowDim(3, 1, 1, 1)]));
        Assert.Equal("convolution: lhs f32[8,3,32,32], rhs f32[64,4,3,3], dim_labels=bf01_oi01->bf01: input features 3 do not match kernel input features 4 x feature_group_count 1 (kernel output features 64, batch 8, batch_group_count 1)", e.Message);
    }

    [Fact]
    public void Dot_contracting_mismatch_names_shapes()
    {
        var e = Fails(b => b.Dot(b.Parameter(Shape.F32(2, 3), "a"), b.Parameter(Shape.F32(4, 5), "b"), DotDims.Contract(1, 0)));
        Assert.Equal("dot: lhs f32[2,3], rhs f32[4,5], lhs_contracting_dims={1}, rhs_contracting_dims={0}: contracting dimension sizes differ", e.Message);
    }

    [Fact]
    public void Reshape_element_count_mismatch_is_reported()
    {
        var e = Fails(b => b.Reshape(b.Parameter(Shape.F32(2, 3), "a"), 4, 2));
        Assert.Equal("reshape: f32[2,3] has 6 elements, f32[4,2] has 8", e.Message);
    }

    [Fact]
    public void Broadcast_bad_mapping_is_reported()
    {
        var e = Fails(b => b.Broadcast(b.Parameter(Shape.F32(3), "a"), [3, 4], [1]));
        Assert.Equal("broadcast: operand f32[3] does not map to f32[3,4] with dimensions={1}", e.Message);
    }

    [Fact]
    public void Operand_of_another_computation_is_rejected()
    {
        var b = new HloBuilder("m");
        var sub = b.CreateSubBuilder("sub");
        var x = b.Parameter(Shape.F32(), "x");
        var e = Assert.Throws<ArgumentException>(() => sub.Negate(x));
        Assert.Equal("negate: operand %x belongs to computation main, not sub", e.Message);
    }

    [Fact]
    public void Inferred_shapes_of_conv_pool_dot_are_exact()
    {
        var b = new HloBuilder("m");
        var x = b.Parameter(Shape.F32(8, 3, 32, 32), "x");
        var w = b.Parameter(Shape.F32(64, 3, 3, 3), "w");
        var c = b.Convolution(x, w, ConvDims.Nchw2D, [new WindowDim(3, 2, 1, 1), new WindowDim(3, 1, 1, 1)]);
        Assert.Equal("f32[8,64,16,32]{3,2,1,0}", c.Shape.ToString());
        var max = b.ScalarComputation("max", ElementType.F32, BinaryOp.Maximum);
        var p = b.ReduceWindow(c, b.Constant(float.NegativeInfinity), [new(1), new(1), new(2, 2), new(2, 2)], max);
        Assert.Equal("f32[8,64,8,16]", p.Shape.ToText(false));
        var d = b.Dot(b.Reshape(p, 8, 64 * 8 * 16), b.Parameter(Shape.F32(10, 8192), "fc"), DotDims.Contract(1, 1));
        Assert.Equal("f32[8,10]", d.Shape.ToText(false));
    }

    [Fact]
    public void Names_are_unique_module_wide()
    {
        var b = new HloBuilder("m");
        var x = b.Parameter(Shape.F32(), "x");
        var add1 = b.ScalarComputation("add", ElementType.F32, BinaryOp.Add);
        var add2 = b.ScalarComputation("add", ElementType.F32, BinaryOp.Add);
        var y = b.Add(x, x);
        var names = add1.Instructions.Concat(add2.Instructions).Append(x).Append(y).Select(o => o.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.NotEqual(add1.Name, add2.Name);
    }
}

public class EvaluatorTests
{
    [Fact]
    public void Convolution_3x3_pad_1_gives_hand_computed_sums()
    {
        // All-ones 1x1x3x3 image and kernel: each output counts the in-bounds window cells.
        var b = new HloBuilder("m");
        var x = b.Parameter(Shape.F32(1, 1, 3, 3), "x");
        var w = b.Parameter(Shape.F32(1, 1, 3, 3), "w");
        var c = b.Convolution(x, w, ConvDims.Nchw2D, [new WindowDim(3, 1, 1, 1), new WindowDim(3, 1, 1, 1)]);
        var r = Evaluator.Run(b.Build(c), Value.Array(x.Shape, Enumerable.Repeat(1.0, 9)), Value.Array(w.Shape, Enumerable.Repeat(1.0, 9)));
        Assert.Equal([4.0, 6, 4, 6, 9, 6, 4, 6, 4], r.Data);
    }

    [Fact]
    public void Max_pool_gradient_goes_to_the_first_maximum()
    {
        var b = new HloBuilder("m");
        var x = b.Parameter(Shape.F32(2, 2), "x");
        var s = b.Parameter(Shape.F32(1, 1), "s");
        var ge = b.ComparatorComputation("ge", ElementType.F32, ComparisonDirection.Ge);
        var add = b.ScalarComputation("add", ElementType.F32, BinaryOp.Add);
        var r = b.SelectAndScatter(x, s, b.Constant(0f), [new(2, 2), new(2, 2)], ge, add);
        var v = Evaluator.Run(b.Build(r), Value.Array(x.Shape, [1, 5, 5, 2]), Value.Array(s.Shape, [7]));
        Assert.Equal([0.0, 7, 0, 0], v.Data);
    }

    [Fact]
    public void Dot_of_2x3_and_3x2_gives_hand_computed_product()
    {
        var b = new HloBuilder("m");
        var x = b.Parameter(Shape.F32(2, 3), "x");
        var y = b.Parameter(Shape.F32(3, 2), "y");
        var v = Evaluator.Run(b.Build(b.Dot(x, y, DotDims.Contract(1, 0))), Value.Array(x.Shape, [1, 2, 3, 4, 5, 6]), Value.Array(y.Shape, [7, 8, 9, 10, 11, 12]));
        Assert.Equal([58.0, 64, 139, 154], v.Data);
    }
}
