namespace XlaPrune.BindGen;

/// <summary>What BindGen learned from one header, in header order.</summary>
internal sealed class HeaderModel
{
    public List<RecordModel> Records { get; } = [];
    public List<EnumModel> Enums { get; } = [];
    public List<ConstantModel> Constants { get; } = [];
}

/// <summary>A struct or union. Opaque records have no fields and no layout.</summary>
internal sealed class RecordModel(string name, bool isUnion, bool isOpaque, long size, long align)
{
    public string Name { get; } = name;
    public bool IsUnion { get; } = isUnion;
    public bool IsOpaque { get; } = isOpaque;
    public long Size { get; } = size;
    public long Align { get; } = align;
    public List<FieldModel> Fields { get; } = [];

    /// <summary>The header's &lt;Name&gt;_STRUCT_SIZE value, when it declares one.</summary>
    public long? StructSize { get; set; }

    /// <summary>
    /// The record follows the PJRT versioning rule: a <c>size_t struct_size</c> first and a <c>_STRUCT_SIZE</c> constant, so
    /// the generated struct implements <c>IStructSize</c>.
    /// </summary>
    public bool IsSized => StructSize is not null && Fields.Count > 0 && Fields[0] is { Name: "struct_size", Offset: 0, CSharpType: "nuint" };

    /// <summary>Fields share offsets (a union, or a struct with an anonymous union).</summary>
    public bool NeedsExplicitLayout => IsUnion || Fields.GroupBy(f => f.Offset).Any(g => g.Count() > 1);
}

internal sealed record FieldModel(string Name, string CSharpType, string CType, long Offset, long Size);

internal sealed class EnumModel(string name)
{
    public string Name { get; } = name;
    public List<(string Name, long Value)> Members { get; } = [];
}

internal sealed record ConstantModel(string Name, string CSharpType, string Value);
