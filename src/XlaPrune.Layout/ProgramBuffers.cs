using System.Text.RegularExpressions;
using XlaPrune.Hlo.Proto;

namespace XlaPrune.Layout;

/// <summary>One buffer of a compiled program: the instruction (tuple elements as <c>name{i}</c>) and its array.</summary>
/// <param name="Name">Instruction name, with the tuple index for an element of a tuple-shaped result.</param>
/// <param name="Array">Type, dimensions and the layout the compiler chose.</param>
public sealed record ProgramBuffer(string Name, XlaArray Array);

/// <summary>
/// The buffers of a compiled program, read from the layouts the compiler chose: an HLO text dump with layouts (an
/// after-optimizations dump, <c>--xla_dump_to</c>) or the optimized <c>HloModuleProto</c> of an executable.
/// </summary>
/// <remarks>
/// The rule: every instruction of the entry computation whose result is a new value: parameters and computed
/// results. Instructions that only name or forward other buffers (tuple, get-tuple-element, bitcast, while,
/// conditional, call, opt-barrier, the *-done halves of async pairs, add-dependency, after-all) are left out, and
/// instructions inside fused or called computations have no buffers of their own. A tuple-shaped result counts each
/// array element. Totals are sums over buffers, not the peak of a schedule (buffers whose lifetimes do not overlap
/// may share memory; the compiler's memory statistics say how much).
/// </remarks>
public static partial class ProgramBuffers
{
    private static readonly HashSet<string> s_forwarding = new(StringComparer.Ordinal)
    {
        "tuple", "get-tuple-element", "bitcast", "while", "conditional", "call", "opt-barrier", "add-dependency",
        "after-all", "copy-done", "send-done", "recv-done", "all-reduce-done", "all-gather-done", "collective-permute-done",
        "async-done", "async-update",
    };

    /// <summary>Sum of <see cref="XlaArray.LogicalBytes"/> over the buffers.</summary>
    public static long TotalLogicalBytes(IEnumerable<ProgramBuffer> buffers) => buffers.Sum(b => b.Array.LogicalBytes);

    /// <summary>Sum of <see cref="XlaArray.PaddedBytes"/> over the buffers.</summary>
    public static long TotalPaddedBytes(IEnumerable<ProgramBuffer> buffers) => buffers.Sum(b => b.Array.PaddedBytes);

    /// <summary>
    /// The buffers of HLO text. With an <c>ENTRY</c> computation only its instructions count; text without one (a list
    /// of instruction lines, as out-of-memory reports print them) counts every instruction line.
    /// </summary>
    /// <exception cref="FormatException">A shape does not parse; the message names the line.</exception>
    public static IReadOnlyList<ProgramBuffer> FromHloText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var hasEntry = lines.Any(l => l.TrimStart().StartsWith("ENTRY", StringComparison.Ordinal));
        var inEntry = false;
        var result = new List<ProgramBuffer>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.StartsWith("ENTRY", StringComparison.Ordinal))
            {
                inEntry = true;
                continue;
            }

            if (trimmed == "}")
            {
                inEntry = false;
                continue;
            }

            if (hasEntry && !inEntry)
            {
                continue;
            }

            var match = InstructionStart().Match(line);
            if (!match.Success)
            {
                continue;
            }

            try
            {
                var reader = new XlaTextReader(line, match.Length);
                var shape = reader.ReadShape();
                reader.SkipSpaces();
                var opcode = OpcodeAt().Match(line, reader.Position);
                if (!opcode.Success || s_forwarding.Contains(opcode.Groups[1].Value))
                {
                    continue;
                }

                Add(result, match.Groups[1].Value, shape, []);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1}: {e.Message}", e);
            }
        }

        return result;
    }

    /// <summary>The buffers of an optimized module (its entry computation), with the layouts on its instruction shapes.</summary>
    public static IReadOnlyList<ProgramBuffer> FromModule(HloModuleProto module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var entry = module.Computations.FirstOrDefault(c => c.Id == module.EntryComputationId)
            ?? module.Computations.FirstOrDefault(c => c.Name == module.EntryComputationName)
            ?? throw new FormatException($"module {module.Name} has no entry computation");
        var result = new List<ProgramBuffer>();
        foreach (var instruction in entry.Instructions)
        {
            if (!s_forwarding.Contains(instruction.Opcode) && instruction.Shape is not null)
            {
                AddProto(result, instruction.Name, instruction.Shape, []);
            }
        }

        return result;
    }

    /// <summary>
    /// The module inside an optimized program as PJRT returns it: format <c>hlo</c> (an <c>HloModuleProto</c>) or
    /// <c>hlo_with_config</c> (XLA's plugins, libtpu: an <c>HloModuleProtoWithConfig</c>).
    /// </summary>
    /// <exception cref="FormatException">Another format (for example <c>mlir</c>), or bytes that do not parse.</exception>
    public static HloModuleProto ModuleOfOptimizedProgram(string format, byte[] code)
    {
        ArgumentNullException.ThrowIfNull(code);
        try
        {
            return format switch
            {
                "hlo" => HloModuleProto.Parser.ParseFrom(code),
                "hlo_with_config" => HloModuleProtoWithConfig.Parser.ParseFrom(code).HloModule
                    ?? throw new FormatException("the hlo_with_config program holds no module"),
                _ => throw new FormatException($"optimized program format '{format}' holds no HLO module (expected hlo or hlo_with_config)"),
            };
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new FormatException($"the optimized program ({format}) does not parse: {e.Message}", e);
        }
    }

    private static void Add(List<ProgramBuffer> result, string name, XlaShape shape, List<int> index)
    {
        if (shape.Array is { } array)
        {
            if (array.Type is not ("token" or "opaque"))
            {
                result.Add(new ProgramBuffer(index.Count == 0 ? name : $"{name}{{{string.Join(",", index)}}}", array));
            }

            return;
        }

        for (var i = 0; i < shape.Elements.Count; i++)
        {
            Add(result, name, shape.Elements[i], [.. index, i]);
        }
    }

    private static void AddProto(List<ProgramBuffer> result, string name, ShapeProto shape, List<int> index)
    {
        if (shape.ElementType == PrimitiveType.Tuple)
        {
            for (var i = 0; i < shape.TupleShapes.Count; i++)
            {
                AddProto(result, name, shape.TupleShapes[i], [.. index, i]);
            }

            return;
        }

        if (XlaArray.FromProto(shape) is { } array)
        {
            result.Add(new ProgramBuffer(index.Count == 0 ? name : $"{name}{{{string.Join(",", index)}}}", array));
        }
    }

    // "  ROOT %name.1 = " or "name = ": the instruction's name, up to the start of its shape.
    [GeneratedRegex(@"^\s*(?:ROOT\s+)?%?([A-Za-z_][\w.\-]*)\s*=\s*")]
    private static partial Regex InstructionStart();

    [GeneratedRegex(@"\G([a-z][a-z0-9\-]*)\(")]
    private static partial Regex OpcodeAt();
}
