namespace XlaPrune.Pjrt;

/// <summary>A program and its PJRT format name.</summary>
/// <param name="Format">Format, for example <c>hlo</c>, <c>hlo_with_config</c> or <c>mlir</c>.</param>
/// <param name="Code">The program bytes (text formats are UTF-8).</param>
public sealed record PjrtProgram(string Format, byte[] Code);
