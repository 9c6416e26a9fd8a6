namespace XlaPrune.Cli;

/// <summary>The option names a file the command writes: refused before any work unless missing or a regular file.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OutputFileAttribute : Attribute;

/// <summary>
/// The option names a folder the command writes into: refused unless missing or a directory; each
/// of <see cref="Files"/> inside it is checked as an <see cref="OutputFileAttribute"/> path.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OutputDirectoryAttribute(params string[] files) : Attribute
{
    public IReadOnlyList<string> Files { get; } = files;
}

/// <summary>The option or argument names a file the command reads: no output may be the same path.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class InputFileAttribute : Attribute;
