using XlaPrune.Models;

namespace XlaPrune.Programs;

/// <summary>
/// Binds a model's state (<see cref="ModelWeights"/> and momenta) to a program's arguments, and reads it back from
/// the program's results, by role. State arguments (parameters, momenta, BatchNorm statistics, rng state) come
/// first, in order; the batch inputs (images, labels, learning rate) follow, one argument per role.
/// </summary>
public sealed class ModelBinding
{
    /// <summary>Indexes <paramref name="program"/>'s arguments; throws <see cref="ArgumentException"/> when state does not come first.</summary>
    public ModelBinding(Vgg16Program program)
    {
        ArgumentNullException.ThrowIfNull(program);
        Program = program;
        var state = program.Arguments.TakeWhile(a => a.IsState).ToArray();
        var late = program.Arguments.Skip(state.Length).FirstOrDefault(a => a.IsState);
        if (late is not null)
        {
            throw new ArgumentException($"program {program.Module.Name}: state argument {late.Name} follows a batch input", nameof(program));
        }

        State = state;
    }

    /// <summary>The program.</summary>
    public Vgg16Program Program { get; }

    /// <summary>The state arguments, in argument (and, for the train step, result) order.</summary>
    public IReadOnlyList<ProgramValue> State { get; }

    /// <summary>Argument index of the single argument with <paramref name="role"/>; throws naming the program and role when there is none.</summary>
    public int IndexOf(ProgramRole role)
    {
        var matches = Program.Arguments.Select((a, i) => (a, i)).Where(x => x.a.Role == role).ToArray();
        return matches.Length == 1
            ? matches[0].i
            : throw new ArgumentException($"program {Program.Module.Name} has {matches.Length} {role} arguments, not one", nameof(role));
    }

    /// <summary>
    /// One value per state argument, in order: a parameter or statistic from <paramref name="weights"/>, a momentum from
    /// <paramref name="momenta"/> (zeros when null), the rng state as [<paramref name="rngSeed"/>, 0]. The host arrays
    /// are handed to <paramref name="f32"/> or <paramref name="u64"/>, which make the value (e.g. upload a device buffer),
    /// in the program's dimension order (<see cref="ProgramValue.FromTorch"/>: HWIO kernels of an NHWC program are
    /// transposed from the weights' OIHW). Otherwise a parameter's array is the one inside <paramref name="weights"/>, not a copy.
    /// </summary>
    public IReadOnlyList<T> BindState<T>(ModelWeights weights, ModelWeights? momenta, ulong rngSeed, Func<ProgramValue, float[], T> f32, Func<ProgramValue, ulong[], T> u64)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(f32);
        ArgumentNullException.ThrowIfNull(u64);
        var values = new List<T>(State.Count);
        foreach (var a in State)
        {
            values.Add(a.Role switch
            {
                ProgramRole.RngState => u64(a, [rngSeed, 0UL]),
                ProgramRole.Momentum => f32(a, momenta is null ? new float[a.Shape.ElementCount] : a.FromTorch(momenta[a.Tensor!].Data)),
                _ => f32(a, a.FromTorch(weights[a.Tensor!].Data)),
            });
        }

        return values;
    }

    /// <summary>
    /// Reads the model state back: <paramref name="stateValue"/>(i) gives the host copy of state value i (argument i
    /// or, after a train step, result i), in the program's order; it is not asked for the rng state. Returns the parameters
    /// and statistics, and the momenta (empty when the program has none), in PyTorch's order.
    /// </summary>
    public (ModelWeights Weights, ModelWeights Momenta) ReadState(Func<int, float[]> stateValue)
    {
        ArgumentNullException.ThrowIfNull(stateValue);
        var weights = new List<KeyValuePair<string, WeightTensor>>();
        var momenta = new List<KeyValuePair<string, WeightTensor>>();
        for (var i = 0; i < State.Count; i++)
        {
            var a = State[i];
            if (a.Role == ProgramRole.RngState)
            {
                continue;
            }

            var tensor = new WeightTensor([.. a.TorchDimensions.Select(d => (int)d)], a.ToTorch(stateValue(i)));
            (a.Role == ProgramRole.Momentum ? momenta : weights).Add(KeyValuePair.Create(a.Tensor!, tensor));
        }

        return (new ModelWeights(weights), new ModelWeights(momenta));
    }
}
