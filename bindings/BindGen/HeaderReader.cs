using System.Globalization;
using System.Text;

namespace XlaPrune.BindGen;

/// <summary>Parses a C header with libclang and builds a <see cref="HeaderModel"/>.</summary>
internal sealed unsafe partial class HeaderReader : IDisposable
{
    private const string StructSizeSuffix = "_STRUCT_SIZE";

    private readonly string _prefix;
    private readonly void* _headerFile;
    private void* _index;
    private void* _unit;
    private readonly Dictionary<string, string> _namesByUsr = new(StringComparer.Ordinal);

    public HeaderReader(string headerPath, IReadOnlyList<string> clangArguments, string prefix)
    {
        _prefix = prefix;
        _index = Clang.CreateIndex(0, 0);
        var arguments = clangArguments.Select(a => Encoding.UTF8.GetBytes(a + "\0")).ToArray();
        var pinned = arguments.Select(a => System.Runtime.InteropServices.GCHandle.Alloc(a, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var argv = stackalloc byte*[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                argv[i] = (byte*)pinned[i].AddrOfPinnedObject();
            }

            var path = Encoding.UTF8.GetBytes(headerPath + "\0");
            void* unit;
            int status;
            fixed (byte* pathBytes = path)
            {
                status = Clang.ParseTranslationUnit2(_index, pathBytes, argv, arguments.Length, null, 0,
                    Clang.DetailedPreprocessingRecord | Clang.SkipFunctionBodies, &unit);
            }

            if (status != 0)
            {
                throw new InvalidOperationException($"libclang could not parse '{headerPath}' (error {status}).");
            }

            _unit = unit;
            fixed (byte* pathBytes = path)
            {
                _headerFile = Clang.GetFile(_unit, pathBytes);
            }
        }
        finally
        {
            foreach (var handle in pinned)
            {
                handle.Free();
            }
        }

        var errors = new List<string>();
        var count = Clang.GetNumDiagnostics(_unit);
        for (uint i = 0; i < count; i++)
        {
            var diagnostic = Clang.GetDiagnostic(_unit, i);
            try
            {
                if (Clang.GetDiagnosticSeverity(diagnostic) >= Clang.DiagnosticError)
                {
                    errors.Add(Clang.Take(Clang.FormatDiagnostic(diagnostic, 0x1 | 0x2)));
                }
            }
            finally
            {
                Clang.DisposeDiagnostic(diagnostic);
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"'{headerPath}' does not parse:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
    }

    public HeaderModel Read()
    {
        var model = new HeaderModel();
        var topLevel = Clang.Children(Clang.GetTranslationUnitCursor(_unit))
            .Where(IsInHeader)
            .ToList();

        // Anonymous structs and enums take the name of the typedef that introduces them.
        foreach (var cursor in topLevel.Where(c => c.Kind == CXCursorKind.TypedefDecl))
        {
            var underlying = Unelaborate(Clang.GetTypedefDeclUnderlyingType(cursor));
            if (underlying.Kind is CXTypeKind.Record or CXTypeKind.Enum)
            {
                var declaration = Clang.GetTypeDeclaration(underlying);
                var usr = Clang.Usr(declaration);
                if (!_namesByUsr.ContainsKey(usr) && IsUnnamed(declaration))
                {
                    _namesByUsr[usr] = Clang.Spelling(cursor);
                }
            }
        }

        var records = new Dictionary<string, RecordModel>(StringComparer.Ordinal);
        var declaredOpaque = new List<string>();
        foreach (var cursor in topLevel)
        {
            switch (cursor.Kind)
            {
                case CXCursorKind.StructDecl or CXCursorKind.UnionDecl:
                    {
                        var name = NameOf(cursor);
                        if (!name.StartsWith(_prefix, StringComparison.Ordinal))
                        {
                            break;
                        }

                        if (Clang.IsCursorDefinition(cursor) != 0)
                        {
                            if (records.TryGetValue(name, out var existing) && !existing.IsOpaque)
                            {
                                break;
                            }

                            var record = ReadRecord(cursor, name);
                            if (records.TryGetValue(name, out var opaque))
                            {
                                model.Records[model.Records.IndexOf(opaque)] = record;
                            }
                            else
                            {
                                model.Records.Add(record);
                            }

                            records[name] = record;
                        }
                        else if (!records.ContainsKey(name))
                        {
                            var record = new RecordModel(name, cursor.Kind == CXCursorKind.UnionDecl, isOpaque: true, 0, 0);
                            records[name] = record;
                            model.Records.Add(record);
                        }

                        break;
                    }

                case CXCursorKind.EnumDecl:
                    ReadEnum(cursor, model);
                    break;

                case CXCursorKind.MacroDefinition:
                    ReadMacro(cursor, model);
                    break;
            }
        }

        // <Name>_STRUCT_SIZE constants belong to their struct.
        foreach (var constant in model.Constants.ToList())
        {
            if (constant.Name.EndsWith(StructSizeSuffix, StringComparison.Ordinal)
                && records.TryGetValue(constant.Name[..^StructSizeSuffix.Length], out var owner) && !owner.IsOpaque)
            {
                owner.StructSize = long.Parse(constant.Value, CultureInfo.InvariantCulture);
                model.Constants.Remove(constant);
            }
        }

        return model;
    }

    private RecordModel ReadRecord(CXCursor cursor, string name)
    {
        var type = Clang.GetCursorType(cursor);
        var record = new RecordModel(name, cursor.Kind == CXCursorKind.UnionDecl, isOpaque: false, Clang.GetSizeOf(type), Clang.GetAlignOf(type));
        AddFields(record, cursor, type);
        return record;
    }

    private void AddFields(RecordModel record, CXCursor cursor, CXType outermost)
    {
        foreach (var child in Clang.Children(cursor))
        {
            if (child.Kind == CXCursorKind.FieldDecl)
            {
                var fieldName = Clang.Spelling(child);
                if (fieldName.Length == 0)
                {
                    continue;
                }

                var fieldType = Clang.GetCursorType(child);
                record.Fields.Add(new FieldModel(fieldName, MapType(fieldType), Clang.Spelling(fieldType),
                    Clang.OffsetOfBytes(outermost, fieldName), Clang.GetSizeOf(fieldType)));
            }
            else if (child.Kind is CXCursorKind.StructDecl or CXCursorKind.UnionDecl && Clang.IsAnonymousRecordDecl(child) != 0)
            {
                // Members of an anonymous struct or union are members of the enclosing record.
                AddFields(record, child, outermost);
            }
        }
    }

    private void ReadEnum(CXCursor cursor, HeaderModel model)
    {
        var named = !IsUnnamed(cursor) || _namesByUsr.ContainsKey(Clang.Usr(cursor));
        if (named)
        {
            var name = NameOf(cursor);
            if (!name.StartsWith(_prefix, StringComparison.Ordinal))
            {
                return;
            }

            var enumModel = new EnumModel(name);
            foreach (var member in Clang.Children(cursor).Where(c => c.Kind == CXCursorKind.EnumConstantDecl))
            {
                enumModel.Members.Add((Clang.Spelling(member), Clang.GetEnumConstantDeclValue(member)));
            }

            model.Enums.Add(enumModel);
            return;
        }

        // An unnamed enum only carries constants.
        foreach (var member in Clang.Children(cursor).Where(c => c.Kind == CXCursorKind.EnumConstantDecl))
        {
            var name = Clang.Spelling(member);
            if (name.StartsWith(_prefix, StringComparison.Ordinal))
            {
                var value = Clang.GetEnumConstantDeclValue(member);
                model.Constants.Add(IntegerConstant(name, value));
            }
        }
    }

    private void ReadMacro(CXCursor cursor, HeaderModel model)
    {
        var name = Clang.Spelling(cursor);
        if (!name.StartsWith(_prefix, StringComparison.Ordinal) || Clang.IsMacroFunctionLike(cursor) != 0)
        {
            return;
        }

        CXToken* tokens;
        uint count;
        Clang.Tokenize(_unit, Clang.GetCursorExtent(cursor), &tokens, &count);
        try
        {
            // Only object-like macros that are one integer literal become constants.
            if (count == 2)
            {
                var text = Clang.Take(Clang.GetTokenSpelling(_unit, tokens[1]));
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                {
                    model.Constants.Add(IntegerConstant(name, value));
                }
            }
        }
        finally
        {
            Clang.DisposeTokens(_unit, tokens, count);
        }
    }

    private static ConstantModel IntegerConstant(string name, long value) =>
        new(name, value is >= int.MinValue and <= int.MaxValue ? "int" : "long", value.ToString(CultureInfo.InvariantCulture));

    // Where a declaration was expanded, not spelled: names pasted by a macro (name##_STRUCT_SIZE)
    // are spelled in clang's scratch buffer but still belong to the header.
    private bool IsInHeader(CXCursor cursor)
    {
        void* file;
        Clang.GetExpansionLocation(Clang.GetCursorLocation(cursor), &file, null, null, null);
        return file != null && Clang.FileIsEqual(file, _headerFile) != 0;
    }

    private static bool IsUnnamed(CXCursor declaration) =>
        Clang.IsAnonymous(declaration) != 0 || Clang.Spelling(declaration).Contains(' ', StringComparison.Ordinal);

    private string NameOf(CXCursor declaration)
    {
        if (_namesByUsr.TryGetValue(Clang.Usr(declaration), out var name))
        {
            return name;
        }

        if (IsUnnamed(declaration))
        {
            throw new InvalidOperationException($"BindGen cannot name the unnamed declaration {Clang.Spelling(declaration)}: give it a typedef.");
        }

        return Clang.Spelling(declaration);
    }


    public void Dispose()
    {
        if (_unit != null)
        {
            Clang.DisposeTranslationUnit(_unit);
            _unit = null;
        }

        if (_index != null)
        {
            Clang.DisposeIndex(_index);
            _index = null;
        }
    }
}
