using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

/// <summary>The <c>PJRT_Program</c> both compile calls (with a client, or for a topology) pass, and the pinning around them.</summary>
internal static unsafe class PjrtProgramArgs
{
    /// <summary>A compile call over a pinned program and its serialized options; returns the executable it created.</summary>
    public delegate void* CompileCall(PJRT_Program* program, byte* options, nuint optionsSize);

    /// <summary>
    /// Serializes <paramref name="options"/> and keeps it, <paramref name="code"/> and <paramref name="format"/> pinned
    /// while <paramref name="call"/> compiles them; returns what the call returns.
    /// </summary>
    public static void* Compile(ReadOnlySpan<byte> code, ReadOnlySpan<byte> format, CompileOptions options, CompileCall call)
    {
        ArgumentNullException.ThrowIfNull(options);
        var serializedOptions = options.ToProtoBytes();
        fixed (byte* codeBytes = code)
        fixed (byte* formatBytes = format)
        fixed (byte* optionBytes = serializedOptions)
        {
            var program = Over(codeBytes, code.Length, formatBytes, format.Length);
            return call(&program, optionBytes, (nuint)serializedOptions.Length);
        }
    }

    /// <summary>A program over pinned code and format bytes; valid only while both stay pinned.</summary>
    private static PJRT_Program Over(byte* code, int codeLength, byte* format, int formatLength)
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
