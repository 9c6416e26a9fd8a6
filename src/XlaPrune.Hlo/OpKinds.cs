namespace XlaPrune.Hlo;

/// <summary>Element-wise unary ops; the lower-case member name is the opcode of an <see cref="OpTable"/> row.</summary>
public enum UnaryOp
{
    /// <summary>-x.</summary>
    Negate,

    /// <summary>|x|.</summary>
    Abs,

    /// <summary>sign(x).</summary>
    Sign,

    /// <summary>e^x.</summary>
    Exponential,

    /// <summary>ln x.</summary>
    Log,

    /// <summary>√x.</summary>
    Sqrt,

    /// <summary>1/√x.</summary>
    Rsqrt,

    /// <summary>tanh x.</summary>
    Tanh,

    /// <summary>⌊x⌋.</summary>
    Floor,
}

/// <summary>Element-wise binary ops; the lower-case member name is the opcode of an <see cref="OpTable"/> row.</summary>
public enum BinaryOp
{
    /// <summary>a + b.</summary>
    Add,

    /// <summary>a - b.</summary>
    Subtract,

    /// <summary>a · b.</summary>
    Multiply,

    /// <summary>a / b.</summary>
    Divide,

    /// <summary>max(a, b).</summary>
    Maximum,

    /// <summary>min(a, b).</summary>
    Minimum,

    /// <summary>a^b.</summary>
    Power,
}
