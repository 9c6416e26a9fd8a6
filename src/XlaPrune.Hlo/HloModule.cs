using Google.Protobuf;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Hlo;

/// <summary>An immutable HLO module: the entry computation, its callees and aliases.</summary>
public sealed class HloModule
{
    internal HloModule(string name, HloComputation entry, InputOutputAlias[] aliases)
    {
        Name = name;
        Entry = entry;
        Aliases = aliases;

        // Callees first (post-order), the entry last.
        var order = new List<HloComputation>();
        var seen = new HashSet<HloComputation>();
        void Visit(HloComputation c)
        {
            if (!seen.Add(c))
            {
                return;
            }

            foreach (var op in c.Instructions)
            {
                foreach (var callee in op.Callees)
                {
                    Visit(callee);
                }
            }

            order.Add(c);
        }

        Visit(entry);
        Computations = order;
    }

    /// <summary>Module name.</summary>
    public string Name { get; }

    /// <summary>The entry computation.</summary>
    public HloComputation Entry { get; }

    /// <summary>Computations, callees before callers, entry last.</summary>
    public IReadOnlyList<HloComputation> Computations { get; }

    /// <summary>Parameter→output aliases.</summary>
    public IReadOnlyList<InputOutputAlias> Aliases { get; }

    /// <summary>Entry parameter shapes.</summary>
    public IReadOnlyList<Shape> ParameterShapes => Entry.ParameterShapes;

    /// <summary>Entry result shape.</summary>
    public Shape ResultShape => Entry.Root.Shape;

    /// <summary>StableHLO text (<c>func.func @main</c>, generic <c>stablehlo.*</c> ops; aliases as <c>tf.aliasing_output</c>).</summary>
    public string ToMlirText() => MlirText.Of(this);

    /// <summary>Serialized HloModuleProto.</summary>
    public byte[] ToProtoBytes() => ToProto().ToByteArray();

    /// <summary>
    /// The HloModuleProto: computation ids 0.. in emission order (entry last), instruction ids
    /// <c>(computation id &lt;&lt; 32) | local id</c> with dense local ids from 0, array shapes with the default layout.
    /// </summary>
    public HloModuleProto ToProto() => HloProtoWriter.Of(this);

    /// <summary>XLA's HLO text format.</summary>
    public string ToHloText() => HloTextWriter.Of(this);
}
