using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>The <c>PJRT_Program</c> both compile calls (with a client, or for a topology) pass.</summary>
internal static unsafe class PjrtProgramArgs
{
    /// <summary>A program over pinned code and format bytes; valid only while both stay pinned.</summary>
    public static PJRT_Program Over(byte* code, int codeLength, byte* format, int formatLength)
    {
        PJRT_Program program = default;
        program.struct_size = PJRT_Program.STRUCT_SIZE;
        program.code = code;
        program.code_size = (nuint)codeLength;
        program.format = format;
        program.format_size = (nuint)formatLength;
        return program;
    }
}
