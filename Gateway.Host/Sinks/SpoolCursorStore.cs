using Gateway.Core.FrameLog;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Gateway.Host.Sinks;

/// <summary>
/// Reads and atomically replaces one cursor file: write a temp file, fsync it, rename it over the old one, fsync
/// the folder. A crash leaves either the old or the new cursor, never a torn one.
/// </summary>
public sealed class SpoolCursorStore(string path)
{
    /// <summary>Only the most recent gaps are kept in the file; metrics and logs carry the full history.</summary>
    public const int MaxRecordedGaps = 64;

    public string Path { get; } = path;

    /// <returns>The stored cursor, or <see cref="SpoolCursor.Beginning"/> when there is none yet.</returns>
    /// <exception cref="InvalidDataException">The file exists but is not a cursor.</exception>
    public async Task<SpoolCursor> LoadAsync(CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(Path, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return SpoolCursor.Beginning;
        }
        catch (DirectoryNotFoundException)
        {
            return SpoolCursor.Beginning;
        }
        return Parse(bytes);
    }

    public async Task SaveAsync(SpoolCursor cursor, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temp = Path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(Serialize(cursor), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
        DirectorySync.Flush(directory);
    }

    internal static byte[] Serialize(SpoolCursor cursor)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", cursor.Seq);
            if (cursor.Segment is null)
                json.WriteNull("segment");
            else
                json.WriteString("segment", cursor.Segment);
            json.WriteNumber("offset", cursor.Offset);
            if (cursor.Gaps.Count > 0)
            {
                json.WriteStartArray("gaps");
                foreach (var gap in cursor.Gaps)
                {
                    json.WriteStartObject();
                    json.WriteNumber("from", gap.FromSeq);
                    json.WriteNumber("to", gap.ToSeq);
                    json.WriteString("at", gap.At);
                    json.WriteString("reason", gap.Reason);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    internal static SpoolCursor Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var root = JsonDocument.Parse(bytes.ToArray()).RootElement;
            var seq = root.GetProperty("seq").GetInt64();
            var segmentElement = root.GetProperty("segment");
            var segment = segmentElement.ValueKind == JsonValueKind.Null ? null : segmentElement.GetString();
            var offset = root.GetProperty("offset").GetInt64();
            if (seq < -1 || offset < 0 || (segment is not null && !FrameLogPaths.TryParseSegmentFileName(segment, out _)))
                throw new InvalidDataException("cursor values out of range");

            var gaps = new List<SpoolGap>();
            if (root.TryGetProperty("gaps", out var gapArray))
            {
                foreach (var gap in gapArray.EnumerateArray())
                {
                    gaps.Add(new SpoolGap(gap.GetProperty("from").GetInt64(), gap.GetProperty("to").GetInt64(),
                        gap.GetProperty("at").GetDateTimeOffset(), gap.GetProperty("reason").GetString() ?? ""));
                }
            }
            return new SpoolCursor(seq, segment, offset) { Gaps = gaps };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"not a cursor file: {e.Message}", e);
        }
    }
}

/// <summary>fsync of a folder, so a rename inside it survives a power loss (Linux; elsewhere a no-op).</summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(path, ReadOnly | Directory);
        if (fd < 0)
            return;
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

#pragma warning disable SYSLIB1054 // DllImport (not LibraryImport): this project does not allow unsafe code.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
#pragma warning restore SYSLIB1054
}
