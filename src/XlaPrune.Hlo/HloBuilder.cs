namespace XlaPrune.Hlo;

/// <summary>
/// Builds one HLO computation. Every op infers its shape at once and throws an
/// <see cref="ArgumentException"/> naming the op and the shapes when they do not fit.
/// The entry builder makes the module (<see cref="Build"/>); sub-builders (<see cref="CreateSubBuilder"/>)
/// make called computations (reducers, select/scatter).
/// </summary>
public sealed partial class HloBuilder
{
    private readonly List<HloOp> _ops = [];
    private readonly List<HloOp> _parameters = [];
    private readonly ModuleContext _context;

    /// <summary>A builder for the entry computation of module <paramref name="moduleName"/>.</summary>
    public HloBuilder(string moduleName)
        : this(moduleName, "main", new ModuleContext())
    {
    }

    private HloBuilder(string moduleName, string computationName, ModuleContext context)
    {
        ArgumentException.ThrowIfNullOrEmpty(moduleName);
        ModuleName = moduleName;
        _context = context;
        ComputationName = context.Unique(computationName);
    }

    /// <summary>Module name.</summary>
    public string ModuleName { get; }

    /// <summary>Name of the computation being built.</summary>
    public string ComputationName { get; }

    /// <summary>Parameters in number order.</summary>
    public IReadOnlyList<HloOp> Parameters => _parameters;

    internal int Count => _ops.Count;

    internal IReadOnlyList<HloOp> Ops => _ops;

    /// <summary>A builder for a called computation of the same module.</summary>
    public HloBuilder CreateSubBuilder(string name) => new(ModuleName, name, _context);

    /// <summary>A scalar reducer computation <c>(x, y) -> op(x, y)</c>.</summary>
    public HloComputation ScalarComputation(string name, ElementType type, BinaryOp op)
    {
        var b = CreateSubBuilder(name);
        var x = b.Parameter(Shape.Scalar(type), "x");
        var y = b.Parameter(Shape.Scalar(type), "y");
        return b.BuildComputation(b.Binary(op, x, y));
    }

    /// <summary>A scalar predicate computation <c>(x, y) -> compare(x, y, direction)</c> (for select-and-scatter).</summary>
    public HloComputation ComparatorComputation(string name, ElementType type, ComparisonDirection direction)
    {
        var b = CreateSubBuilder(name);
        var x = b.Parameter(Shape.Scalar(type), "x");
        var y = b.Parameter(Shape.Scalar(type), "y");
        return b.BuildComputation(b.Compare(x, y, direction));
    }

    // ---- creation helpers

    private HloOp Add(HloOp op)
    {
        _ops.Add(op);
        return op;
    }

    private HloOp New(string opcode, Shape shape, HloOp[] operands,
        Func<HloBuilder, string, Shape, HloOp[], string, HloOp>? make = null)
    {
        foreach (var o in operands)
        {
            ArgumentNullException.ThrowIfNull(o);
            if (o.Builder != this)
            {
                throw new ArgumentException($"{opcode}: operand %{o.Name} belongs to computation {o.Builder.ComputationName}, not {ComputationName}");
            }
        }

        var name = _context.Next(opcode);
        return Add(make is null ? new HloOp(this, opcode, shape, operands, name) : make(this, opcode, shape, operands, name));
    }

    private static string S(Shape s) => s.ToText(withLayout: false);

    private static ArgumentException Error(string message) => new(message);

    private static void RequireArray(string op, HloOp x)
    {
        if (x.Shape.IsTuple)
        {
            throw Error($"{op}: operand %{x.Name} is a tuple {S(x.Shape)}, an array is required");
        }
    }

    // ---- leaves

    /// <summary>The next parameter (numbered in call order), named after <paramref name="name"/> when unique.</summary>
    public HloOp Parameter(Shape shape, string name)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var clean = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '_')]);
        if (!char.IsAsciiLetter(clean[0]) && clean[0] != '_')
        {
            clean = "p_" + clean;
        }

        var op = new HloOp(this, "parameter", shape, [], _context.Unique(clean)) { ParameterNumber = _parameters.Count };
        _parameters.Add(op);
        return Add(op);
    }

    /// <summary>An f32 scalar constant.</summary>
    public HloOp Constant(float value) => Constant(Shape.Scalar(ElementType.F32), [value]);

    /// <summary>An s32 scalar constant.</summary>
    public HloOp ConstantS32(int value) => Constant(Shape.Scalar(ElementType.S32), [value]);

    /// <summary>An f32 array constant (row-major values).</summary>
    public HloOp Constant(Shape shape, IReadOnlyList<float> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ConstantOf(shape, [.. values.Select(v => (double)v)], ElementType.F32);
    }

    /// <summary>An s32 array constant (row-major values).</summary>
    public HloOp ConstantS32(Shape shape, IReadOnlyList<int> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ConstantOf(shape, [.. values.Select(v => (double)v)], ElementType.S32);
    }

    private HloOp ConstantOf(Shape shape, double[] values, ElementType type)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.ElementType != type)
        {
            throw Error($"constant: shape {S(shape)} does not have element type {Shape.TypeName(type)}");
        }

        if (values.Length != shape.ElementCount)
        {
            throw Error($"constant: shape {S(shape)} needs {shape.ElementCount} values, got {values.Length}");
        }

        return New("constant", shape, [], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Literal = values });
    }

    /// <summary>Iota along <paramref name="dimension"/>.</summary>
    public HloOp Iota(Shape shape, long dimension)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.IsTuple || dimension < 0 || dimension >= shape.Rank)
        {
            throw Error($"iota: dimension {dimension} is out of range for {S(shape)}");
        }

        return New("iota", shape, [], (b, o, s, ops, n) => new HloOp(b, o, s, ops, n) { Dimensions = [dimension] });
    }


    public static HloOp StopGradient(HloOp x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.StopGradient = true;
        return x;
    }

    // ---- building

    /// <summary>Finishes a called computation with <paramref name="root"/>.</summary>
    public HloComputation BuildComputation(HloOp root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Builder != this)
        {
            throw Error($"root %{root.Name} belongs to computation {root.Builder.ComputationName}, not {ComputationName}");
        }

        // Keep what the root needs plus every parameter, in creation order (operands come first).
        var live = new bool[_ops.Count];
        var stack = new Stack<HloOp>();
        stack.Push(root);
        foreach (var p in _parameters)
        {
            stack.Push(p);
        }

        while (stack.Count > 0)
        {
            var op = stack.Pop();
            if (live[op.Index])
            {
                continue;
            }

            live[op.Index] = true;
            foreach (var o in op.Ops)
            {
                if (!live[o.Index])
                {
                    stack.Push(o);
                }
            }
        }

        var kept = new List<HloOp>(_ops.Count);
        for (var i = 0; i < _ops.Count; i++)
        {
            if (live[i])
            {
                kept.Add(_ops[i]);
            }
        }

        return new HloComputation(ComputationName, kept, root, [.. _parameters]);
    }

    /// <summary>Finishes the module with entry root <paramref name="root"/> and optional parameter→output aliases.</summary>
    public HloModule Build(HloOp root, IReadOnlyList<InputOutputAlias>? aliases = null)
    {
        var entry = BuildComputation(root);
        var alias = aliases ?? [];
        foreach (var a in alias)
        {
            if (a.ParameterNumber < 0 || a.ParameterNumber >= _parameters.Count)
            {
                throw Error($"input_output_alias: parameter {a.ParameterNumber} does not exist (entry has {_parameters.Count})");
            }

            var outShape = root.Shape;
            if (a.OutputIndex >= 0)
            {
                if (!root.Shape.IsTuple || a.OutputIndex >= root.Shape.TupleShapes.Count)
                {
                    throw Error($"input_output_alias: output {{{a.OutputIndex}}} does not exist in {S(root.Shape)}");
                }

                outShape = root.Shape.TupleShapes[a.OutputIndex];
            }

            if (!outShape.Compatible(_parameters[a.ParameterNumber].Shape))
            {
                throw Error($"input_output_alias: output {{{a.OutputIndex}}} {S(outShape)} and parameter {a.ParameterNumber} {S(_parameters[a.ParameterNumber].Shape)} differ");
            }
        }

        return new HloModule(ModuleName, entry, [.. alias]);
    }
}

/// <summary>Output tuple element <paramref name="OutputIndex"/> (-1: the whole result) may reuse parameter <paramref name="ParameterNumber"/>'s buffer.</summary>
public sealed record InputOutputAlias(int OutputIndex, int ParameterNumber, bool MustAlias = false);
