using System.Reflection;
using System.Runtime.InteropServices;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// The libpg_query entry points the analyser uses (PostgreSQL 15 grammar, Debian <c>libpg-query</c> 15-4.x;
/// declarations mirror <c>/usr/include/pg_query.h</c>).
/// </summary>
/// <remarks>
/// Thread safety: since 10-1.0.0 libpg_query keeps all parser state (memory contexts, error context) in
/// thread-local storage, so these functions may be called concurrently from any thread; each thread's
/// top-level memory context is freed when the thread exits. Every result must be released with its own free
/// function, whatever its outcome.
/// </remarks>
internal static unsafe partial class PgQueryNative
{
    private const string Library = "pg_query";

    /// <summary>The runtime package ships only the versioned soname; the unversioned name needs -dev.</summary>
    private static readonly string[] Candidates = ["libpg_query.so.1504.0", "libpg_query.so"];

    static PgQueryNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(PgQueryNative).Assembly, Resolve);
    }

    private static IntPtr _library;

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
            return IntPtr.Zero;
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
                return _library = handle;
        }
        return IntPtr.Zero;
    }

    // libpg_query's copy of the server's GUC, which its lexer reads; thread-local there, as all its state.
    [ThreadStatic]
    private static IntPtr _standardConformingStrings;

    /// <summary>
    /// Sets, on this thread only, how the lexer reads ordinary <c>'...'</c> literals: as a server with
    /// <c>standard_conforming_strings</c> on (the default), or off (backslash escapes). False when this libpg_query
    /// does not export the setting. dlsym of a thread-local symbol yields the calling thread's instance.
    /// </summary>
    public static bool TrySetStandardConformingStrings(bool on)
    {
        if (_standardConformingStrings == IntPtr.Zero)
        {
            if (_library == IntPtr.Zero || !NativeLibrary.TryGetExport(_library, "standard_conforming_strings", out var address))
                return false;
            _standardConformingStrings = address;
        }
        *(byte*)_standardConformingStrings = on ? (byte)1 : (byte)0;
        return true;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PgQueryError
    {
        public byte* Message;
        public byte* FuncName;
        public byte* FileName;
        public int LineNo;
        public int CursorPos;
        public byte* Context;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PgQueryParseResult
    {
        public byte* ParseTree;
        public byte* StderrBuffer;
        public PgQueryError* Error;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PgQueryProtobuf
    {
        public nuint Length;
        public byte* Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PgQueryScanResult
    {
        public PgQueryProtobuf Tokens;
        public byte* StderrBuffer;
        public PgQueryError* Error;
    }

    /// <summary>Parses NUL-terminated UTF-8 SQL into the JSON parse tree.</summary>
    [LibraryImport(Library, EntryPoint = "pg_query_parse")]
    internal static partial PgQueryParseResult Parse(byte* input);

    [LibraryImport(Library, EntryPoint = "pg_query_free_parse_result")]
    internal static partial void FreeParseResult(PgQueryParseResult result);

    /// <summary>Runs the server's lexer; tokens come back as a protobuf <c>ScanResult</c>.</summary>
    [LibraryImport(Library, EntryPoint = "pg_query_scan")]
    internal static partial PgQueryScanResult Scan(byte* input);

    [LibraryImport(Library, EntryPoint = "pg_query_free_scan_result")]
    internal static partial void FreeScanResult(PgQueryScanResult result);
}
