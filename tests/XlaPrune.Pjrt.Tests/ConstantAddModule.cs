using Google.Protobuf;

namespace XlaPrune.Pjrt.Tests;

/// <summary>
/// <c>main(x: f32[rows, cols]) -> f32[rows, cols] = add(x, constant(k))</c> as a hand-encoded
/// HloModuleProto (field numbers of xla/service/hlo.proto and xla_data.proto). Each (shape, k) gives
/// a distinct program, so concurrent compiles cannot share a result by accident.
/// </summary>
internal static class ConstantAddModule
{
    private const long F32 = 11; // xla.PrimitiveType.F32

    public static byte[] Build(int rows, int cols, float k)
    {
        var shape = Shape(rows, cols);
        var literal = Message(l =>
        {
            WriteMessage(l, 1, shape);
            // LiteralProto.f32s (field 8), packed.
            l.WriteTag(8, WireFormat.WireType.LengthDelimited);
            l.WriteLength(rows * cols * sizeof(float));
            for (var i = 0; i < rows * cols; i++)
            {
                l.WriteFloat(k);
            }
        });
        var programShape = Message(p =>
        {
            WriteMessage(p, 1, shape);
            WriteMessage(p, 2, shape);
            WriteString(p, 3, "x");
        });
        var computation = Message(c =>
        {
            WriteString(c, 1, "main");
            WriteMessage(c, 2, Instruction("x", "parameter", shape, id: 1, i => { }));
            WriteMessage(c, 2, Instruction("k", "constant", shape, id: 2, i => WriteMessage(i, 8, literal)));
            WriteMessage(c, 2, Instruction("sum", "add", shape, id: 3, i => WritePacked(i, 36, [1, 2])));
            WriteMessage(c, 4, programShape);
            WriteInt64(c, 5, 1);
            WriteInt64(c, 6, 3);
        });
        return Message(m =>
        {
            WriteString(m, 1, FormattableString.Invariant($"add_constant_{rows}x{cols}_{k}"));
            WriteString(m, 2, "main");
            WriteMessage(m, 3, computation);
            WriteMessage(m, 4, programShape);
            WriteInt64(m, 5, 1);
            WriteInt64(m, 6, 1);
        });
    }

    private static byte[] Shape(int rows, int cols) => Message(s =>
    {
        WriteInt64(s, 2, F32);
        WritePacked(s, 3, [rows, cols]);
        WriteMessage(s, 5, Message(layout => WritePacked(layout, 1, [1, 0])));
    });

    private static byte[] Instruction(string name, string opcode, byte[] shape, long id, Action<CodedOutputStream> extra) => Message(i =>
    {
        WriteString(i, 1, name);
        WriteString(i, 2, opcode);
        WriteMessage(i, 3, shape);
        extra(i);
        WriteInt64(i, 35, id);
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

    private static void WriteString(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void WriteInt64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    private static void WriteMessage(CodedOutputStream o, int field, byte[] bytes)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(bytes));
    }

    private static void WritePacked(CodedOutputStream o, int field, long[] values)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteLength(values.Sum(CodedOutputStream.ComputeInt64Size));
        foreach (var v in values)
        {
            o.WriteInt64(v);
        }
    }
}
