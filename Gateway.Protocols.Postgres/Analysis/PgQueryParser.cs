using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// One call of <c>pg_query_parse</c>: SQL text in, the JSON parse tree (copied into a pooled buffer so the
/// native result is freed before anyone reads it) or the parser's error out.
/// </summary>
internal static unsafe class PgQueryParser
{
    /// <summary>
    /// Parses <paramref name="sql"/>. On success <paramref name="tree"/> holds the JSON and must be disposed; on
    /// failure <paramref name="error"/> says why (a syntax error, a NUL, an oversized text).
    /// </summary>
    public static bool TryParse(string sql, int maxBytes, out ParseTreeJson tree, out string? error)
    {
        tree = default;
        if (!NativeSqlText.TryEncode(sql, maxBytes, out var text, out error))
            return false;

        using (text)
            return TryParse(text, out tree, out error);
    }

    /// <summary>
    /// Parses text already encoded (and checked against the byte cap) by <see cref="NativeSqlText"/>; with
    /// <paramref name="standardConformingStrings"/> false, as a server with that setting off reads it (set on the
    /// thread that parses, which for a large text is not the caller's).
    /// </summary>
    public static bool TryParse(NativeSqlText text, out ParseTreeJson tree, out string? error, bool standardConformingStrings = true)
        => text.Length <= InlineParseBytes
            ? TryParseEncoded(text, standardConformingStrings, out tree, out error)
            : TryParseOnLargeStack(text, standardConformingStrings, out tree, out error);

    /// <summary>The error of a parse with <c>standard_conforming_strings</c> off when this libpg_query cannot do one.</summary>
    public const string NoNonStandardReading = "this libpg_query cannot read SQL as a server with standard_conforming_strings off";

    /// <summary>
    /// libpg_query builds and prints the tree recursively without a stack-depth check, about 130 bytes of stack
    /// per tree level; a left-deep chain (<c>1 + 1 + 1 ...</c>, <c>x::t::t ...</c>, <c>UNION ALL</c> chains) adds
    /// one level per two bytes of text. Texts up to this size stay well inside a thread-pool thread's 1.5 MB
    /// stack and are parsed on the calling thread.
    /// </summary>
    private const int InlineParseBytes = 8 * 1024;

    /// <summary>Stack reserved per byte of a larger text: two bytes per level at twice the measured use.</summary>
    private const long StackBytesPerTextByte = 128;

    private const int MinLargeStack = 16 * 1024 * 1024;

    /// <summary>Large texts parse on threads of their own; at most this many at a time.</summary>
    private static readonly SemaphoreSlim LargeStackParses = new(Math.Max(2, Environment.ProcessorCount));

    private static readonly TimeSpan LargeStackWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Parses on a dedicated thread whose stack fits the deepest tree the text could produce, so no text can
    /// overflow a stack and take the gateway down.
    /// </summary>
    private static bool TryParseOnLargeStack(NativeSqlText text, bool standardConformingStrings, out ParseTreeJson tree, out string? error)
    {
        tree = default;
        if (!LargeStackParses.Wait(LargeStackWait))
        {
            error = "too many large statements are being analysed at once";
            return false;
        }

        try
        {
            var parsed = default(ParseTreeJson);
            string? failure = null;
            var ok = false;
            var stack = (int)Math.Clamp(text.Length * StackBytesPerTextByte, MinLargeStack, int.MaxValue);
            var thread = new Thread(() => ok = TryParseEncoded(text, standardConformingStrings, out parsed, out failure), stack)
            {
                IsBackground = true,
                Name = "sql-parse-large",
            };
            thread.Start();
            thread.Join();
            tree = parsed;
            error = failure;
            return ok;
        }
        catch (OutOfMemoryException)
        {
            error = "no memory to analyse a statement this large";
            return false;
        }
        finally
        {
            LargeStackParses.Release();
        }
    }

    private static bool TryParseEncoded(NativeSqlText text, bool standardConformingStrings, out ParseTreeJson tree, out string? error)
    {
        tree = default;
        if (!standardConformingStrings && !PgQueryNative.TrySetStandardConformingStrings(false))
        {
            error = NoNonStandardReading;
            return false;
        }
        PgQueryNative.PgQueryParseResult result;
        try
        {
            fixed (byte* input = text.Buffer)
                result = PgQueryNative.Parse(input);
        }
        finally
        {
            if (!standardConformingStrings)
                PgQueryNative.TrySetStandardConformingStrings(true);
        }

        try
        {
            if (result.Error is not null)
            {
                error = DescribeError(result.Error);
                return false;
            }
            if (result.ParseTree is null)
            {
                error = "the SQL parser returned no parse tree";
                return false;
            }

            var json = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result.ParseTree);
            var buffer = ArrayPool<byte>.Shared.Rent(json.Length);
            json.CopyTo(buffer);
            tree = new ParseTreeJson(buffer, json.Length);
            error = null;
            return true;
        }
        finally
        {
            PgQueryNative.FreeParseResult(result);
        }
    }

    internal static string DescribeError(PgQueryNative.PgQueryError* error)
    {
        var message = error->Message is null
            ? "the SQL parser failed"
            : Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(error->Message));
        return error->CursorPos > 0 ? $"{message} (at position {error->CursorPos})" : message;
    }
}

/// <summary>libpg_query's JSON parse tree in a pooled buffer; return it with <see cref="Dispose"/>.</summary>
internal readonly struct ParseTreeJson(byte[] buffer, int length) : IDisposable
{
    public ReadOnlyMemory<byte> Json => buffer.AsMemory(0, length);

    public void Dispose()
    {
        if (buffer is not null)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
