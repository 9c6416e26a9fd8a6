using Google.Protobuf;

namespace XlaPrune.Pjrt.Tests;

/// <summary>
/// Tiny HloModuleProto programs encoded by hand (field numbers of xla/service/hlo.proto and xla_data.proto),
/// so these tests depend on nothing but the plugin.
/// </summary>
internal static class HloTestModules
{
    private const long F32 = 11; // xla.PrimitiveType.F32

    /// <summary><c>main(x: f32[2,3], y: f32[2,3]) -> f32[2,3] = add(x, y)</c>.</summary>
    public static byte[] AddF32x2x3()
    {
        var shape = Shape(F32, 2, 3);
        var computation = Message(c =>
        {
            WriteString(c, 1, "main");
            WriteMessage(c, 2, Instruction("x", "parameter", shape, id: 1, parameterNumber: 0));
            WriteMessage(c, 2, Instruction("y", "parameter", shape, id: 2, parameterNumber: 1));
            WriteMessage(c, 2, Instruction("sum", "add", shape, id: 3, operands: [1, 2]));
            WriteMessage(c, 4, ProgramShape(shape, shape));
            WriteInt64(c, 5, 1);
            WriteInt64(c, 6, 3);
        });
        return Message(m =>
        {
            WriteString(m, 1, "add_module");
            WriteString(m, 2, "main");
            WriteMessage(m, 3, computation);
            WriteMessage(m, 4, ProgramShape(shape, shape));
            WriteInt64(m, 5, 1);
            WriteInt64(m, 6, 1);
        });
    }

    private static byte[] ProgramShape(byte[] parameterShape, byte[] resultShape) => Message(p =>
    {
        WriteMessage(p, 1, parameterShape);
        WriteMessage(p, 1, parameterShape);
        WriteMessage(p, 2, resultShape);
        WriteString(p, 3, "x");
        WriteString(p, 3, "y");
    });

    private static byte[] Shape(long elementType, params long[] dimensions) => Message(s =>
    {
        WriteInt64(s, 2, elementType);
        WritePacked(s, 3, dimensions);
        WriteMessage(s, 5, Message(layout => WritePacked(layout, 1, Enumerable.Range(0, dimensions.Length).Reverse().Select(i => (long)i).ToArray())));
    });

    private static byte[] Instruction(string name, string opcode, byte[] shape, long id, long parameterNumber = 0, long[]? operands = null) => Message(i =>
    {
        WriteString(i, 1, name);
        WriteString(i, 2, opcode);
        WriteMessage(i, 3, shape);
        if (parameterNumber != 0)
        {
            WriteInt64(i, 9, parameterNumber);
        }

        WriteInt64(i, 35, id);
        if (operands is not null)
        {
            WritePacked(i, 36, operands);
        }
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(output);
        }

        return stream.ToArray();
    }

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void WriteInt64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    private static void WriteMessage(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    private static void WritePacked(CodedOutputStream output, int field, long[] values) =>
        WriteMessage(output, field, Message(p =>
        {
            foreach (var value in values)
            {
                p.WriteInt64(value);
            }
        }));
}
