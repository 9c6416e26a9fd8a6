using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XlaPrune.BindGen;

// The few libclang C entry points BindGen needs. Layouts follow clang-c/Index.h (libclang 22).

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXString
{
    public void* Data;
    public uint PrivateFlags;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXCursor
{
    public CXCursorKind Kind;
    public int Xdata;
    public void* Data0;
    public void* Data1;
    public void* Data2;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXType
{
    public CXTypeKind Kind;
    public void* Data0;
    public void* Data1;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXSourceLocation
{
    public void* Ptr0;
    public void* Ptr1;
    public uint IntData;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXSourceRange
{
    public void* Ptr0;
    public void* Ptr1;
    public uint BeginIntData;
    public uint EndIntData;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXToken
{
    public uint Int0;
    public uint Int1;
    public uint Int2;
    public uint Int3;
    public void* PtrData;
}

internal enum CXCursorKind
{
    StructDecl = 2,
    UnionDecl = 3,
    EnumDecl = 5,
    FieldDecl = 6,
    EnumConstantDecl = 7,
    TypedefDecl = 20,
    MacroDefinition = 501,
}

internal enum CXTypeKind
{
    Invalid = 0,
    Void = 2,
    Bool = 3,
    CharU = 4,
    UChar = 5,
    UShort = 8,
    UInt = 9,
    ULong = 10,
    ULongLong = 11,
    CharS = 13,
    SChar = 14,
    Short = 16,
    Int = 17,
    Long = 18,
    LongLong = 19,
    Float = 21,
    Double = 22,
    Pointer = 101,
    Record = 105,
    Enum = 106,
    Typedef = 107,
    FunctionNoProto = 110,
    FunctionProto = 111,
    ConstantArray = 112,
    IncompleteArray = 114,
    Elaborated = 119,
}

internal enum CXChildVisitResult
{
    Break = 0,
    Continue = 1,
    Recurse = 2,
}

internal static unsafe partial class Clang
{
    private const string Lib = "libclang";

    public const uint DetailedPreprocessingRecord = 0x01;
    public const uint SkipFunctionBodies = 0x40;
    public const int DiagnosticError = 3;

    [LibraryImport(Lib, EntryPoint = "clang_createIndex")]
    public static partial void* CreateIndex(int excludeDeclarationsFromPch, int displayDiagnostics);

    [LibraryImport(Lib, EntryPoint = "clang_disposeIndex")]
    public static partial void DisposeIndex(void* index);

    [LibraryImport(Lib, EntryPoint = "clang_parseTranslationUnit2")]
    public static partial int ParseTranslationUnit2(void* index, byte* sourceFilename, byte** commandLineArgs, int numCommandLineArgs, void* unsavedFiles, uint numUnsavedFiles, uint options, void** translationUnit);

    [LibraryImport(Lib, EntryPoint = "clang_disposeTranslationUnit")]
    public static partial void DisposeTranslationUnit(void* translationUnit);

    [LibraryImport(Lib, EntryPoint = "clang_getNumDiagnostics")]
    public static partial uint GetNumDiagnostics(void* translationUnit);

    [LibraryImport(Lib, EntryPoint = "clang_getDiagnostic")]
    public static partial void* GetDiagnostic(void* translationUnit, uint index);

    [LibraryImport(Lib, EntryPoint = "clang_getDiagnosticSeverity")]
    public static partial int GetDiagnosticSeverity(void* diagnostic);

    [LibraryImport(Lib, EntryPoint = "clang_formatDiagnostic")]
    public static partial CXString FormatDiagnostic(void* diagnostic, uint options);

    [LibraryImport(Lib, EntryPoint = "clang_disposeDiagnostic")]
    public static partial void DisposeDiagnostic(void* diagnostic);

    [LibraryImport(Lib, EntryPoint = "clang_getTranslationUnitCursor")]
    public static partial CXCursor GetTranslationUnitCursor(void* translationUnit);

    [LibraryImport(Lib, EntryPoint = "clang_visitChildren")]
    public static partial uint VisitChildren(CXCursor parent, delegate* unmanaged[Cdecl]<CXCursor, CXCursor, void*, CXChildVisitResult> visitor, void* clientData);

    [LibraryImport(Lib, EntryPoint = "clang_getCursorSpelling")]
    public static partial CXString GetCursorSpelling(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_getCursorUSR")]
    public static partial CXString GetCursorUsr(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_getCString")]
    public static partial byte* GetCString(CXString value);

    [LibraryImport(Lib, EntryPoint = "clang_disposeString")]
    public static partial void DisposeString(CXString value);

    [LibraryImport(Lib, EntryPoint = "clang_getCursorType")]
    public static partial CXType GetCursorType(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_getCanonicalType")]
    public static partial CXType GetCanonicalType(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_getTypeSpelling")]
    public static partial CXString GetTypeSpelling(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_getTypedefName")]
    public static partial CXString GetTypedefName(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_getPointeeType")]
    public static partial CXType GetPointeeType(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_Type_getNamedType")]
    public static partial CXType GetNamedType(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_getTypedefDeclUnderlyingType")]
    public static partial CXType GetTypedefDeclUnderlyingType(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_getTypeDeclaration")]
    public static partial CXCursor GetTypeDeclaration(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_Type_getSizeOf")]
    public static partial long GetSizeOf(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_Type_getAlignOf")]
    public static partial long GetAlignOf(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_Type_getOffsetOf")]
    public static partial long GetOffsetOf(CXType type, byte* fieldName);

    [LibraryImport(Lib, EntryPoint = "clang_getEnumConstantDeclValue")]
    public static partial long GetEnumConstantDeclValue(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_getResultType")]
    public static partial CXType GetResultType(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_getNumArgTypes")]
    public static partial int GetNumArgTypes(CXType type);

    [LibraryImport(Lib, EntryPoint = "clang_getArgType")]
    public static partial CXType GetArgType(CXType type, uint index);

    [LibraryImport(Lib, EntryPoint = "clang_Cursor_isAnonymous")]
    public static partial uint IsAnonymous(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_Cursor_isAnonymousRecordDecl")]
    public static partial uint IsAnonymousRecordDecl(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_isCursorDefinition")]
    public static partial uint IsCursorDefinition(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_Cursor_isMacroFunctionLike")]
    public static partial uint IsMacroFunctionLike(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_getCursorLocation")]
    public static partial CXSourceLocation GetCursorLocation(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_Location_isFromMainFile")]
    public static partial int IsFromMainFile(CXSourceLocation location);

    [LibraryImport(Lib, EntryPoint = "clang_getExpansionLocation")]
    public static partial void GetExpansionLocation(CXSourceLocation location, void** file, uint* line, uint* column, uint* offset);

    [LibraryImport(Lib, EntryPoint = "clang_getFile")]
    public static partial void* GetFile(void* translationUnit, byte* fileName);

    [LibraryImport(Lib, EntryPoint = "clang_File_isEqual")]
    public static partial int FileIsEqual(void* file1, void* file2);

    [LibraryImport(Lib, EntryPoint = "clang_getCursorExtent")]
    public static partial CXSourceRange GetCursorExtent(CXCursor cursor);

    [LibraryImport(Lib, EntryPoint = "clang_tokenize")]
    public static partial void Tokenize(void* translationUnit, CXSourceRange range, CXToken** tokens, uint* numTokens);

    [LibraryImport(Lib, EntryPoint = "clang_getTokenSpelling")]
    public static partial CXString GetTokenSpelling(void* translationUnit, CXToken token);

    [LibraryImport(Lib, EntryPoint = "clang_disposeTokens")]
    public static partial void DisposeTokens(void* translationUnit, CXToken* tokens, uint numTokens);

    /// <summary>Copies a libclang string and frees it.</summary>
    public static string Take(CXString value)
    {
        try
        {
            var text = GetCString(value);
            return text == null ? string.Empty : Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;
        }
        finally
        {
            DisposeString(value);
        }
    }

    public static string Spelling(CXCursor cursor) => Take(GetCursorSpelling(cursor));

    public static string Usr(CXCursor cursor) => Take(GetCursorUsr(cursor));

    public static string Spelling(CXType type) => Take(GetTypeSpelling(type));

    public static long OffsetOfBytes(CXType record, string fieldName)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(fieldName + "\0");
        fixed (byte* name = bytes)
        {
            var bits = GetOffsetOf(record, name);
            if (bits < 0)
            {
                throw new InvalidOperationException($"libclang cannot lay out field '{fieldName}' of {Spelling(record)} (error {bits}).");
            }

            return bits / 8;
        }
    }

    /// <summary>Direct children of a cursor, in source order.</summary>
    public static List<CXCursor> Children(CXCursor parent)
    {
        var children = new List<CXCursor>();
        var handle = GCHandle.Alloc(children);
        try
        {
            _ = VisitChildren(parent, &CollectChild, (void*)GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }

        return children;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static CXChildVisitResult CollectChild(CXCursor cursor, CXCursor parent, void* clientData)
    {
        var children = (List<CXCursor>)GCHandle.FromIntPtr((nint)clientData).Target!;
        children.Add(cursor);
        return CXChildVisitResult.Continue;
    }
}
