namespace XlaPrune.Hlo;

/// <summary>A finished computation: its live instructions in dependency order.</summary>
public sealed class HloComputation
{
    internal HloComputation(string name, List<HloOp> instructions, HloOp root, HloOp[] parameters)
    {
        Name = name;
        Instructions = instructions;
        Root = root;
        ParameterOps = parameters;
        ParameterShapes = [.. parameters.Select(p => p.Shape)];
    }

    /// <summary>Computation name.</summary>
    public string Name { get; }

    /// <summary>Instructions, operands before users.</summary>
    public IReadOnlyList<HloOp> Instructions { get; }

    /// <summary>Root instruction.</summary>
    public HloOp Root { get; }

    /// <summary>Parameter shapes in number order.</summary>
    public IReadOnlyList<Shape> ParameterShapes { get; }

    internal IReadOnlyList<HloOp> ParameterOps { get; }
}
