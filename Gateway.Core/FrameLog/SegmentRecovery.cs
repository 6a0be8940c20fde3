using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Core.FrameLog;

/// <summary>What start-up recovery found at the end of the log.</summary>
internal sealed record RecoveryOutcome(long LastSeq, string HeadHash, string? LastKind, long CutBytes, string? CutSegment, string? Reason, string? SavedTo)
{
    public bool CutAnything => CutBytes > 0;

    public JsonObject ToPayload() => new()
    {
        ["segment"] = CutSegment,
        ["cut_bytes"] = CutBytes,
        ["last_good_seq"] = LastSeq,
        ["reason"] = Reason,
        ["saved_to"] = SavedTo,
    };
}

/// <summary>
/// Start-up recovery: a host crash can leave the last segment with a torn line (a write cut short) or a
/// line of garbage (blocks not yet written). Both are cut from the end of the last segment, the cut bytes
/// are kept under <c>log/torn/</c> for forensics, and the writer notes the cut in a <c>recovery</c> record.
/// Only the tail is touched: a bad line followed by good ones is tampering, left for the verifier.
/// </summary>
internal static class SegmentRecovery
{
    private const int ChunkBytes = 64 * 1024;
    private const long MaxSavedBytes = 16L * 1024 * 1024;

    public static async Task<RecoveryOutcome> RecoverAsync(string logDirectory, int maxRecordBytes, CancellationToken cancellationToken)
    {
        var segments = PathsNewestFirst(logDirectory);
        long cutBytes = 0;
        string? cutSegment = null, reason = null, savedTo = null;
        foreach (var segment in segments)
        {
            var tail = await ScanTailAsync(segment.Path, maxRecordBytes, cancellationToken).ConfigureAwait(false);
            if (tail.CutBytes > 0)
            {
                savedTo ??= await SaveCutAsync(logDirectory, segment, tail.GoodLength, cancellationToken).ConfigureAwait(false);
                await TruncateAsync(segment.Path, tail.GoodLength).ConfigureAwait(false);
                cutBytes += tail.CutBytes;
                cutSegment ??= segment.Name;
                reason ??= tail.Reason;
            }
            if (tail.LastRecord is { } last)
                return new RecoveryOutcome(last.Seq, last.Hash, last.Kind, cutBytes, cutSegment, reason, savedTo);

            // Nothing good left in this (last) segment: it held only a torn write. Its name is the next Seq,
            // which a new segment will take; continue with the one before.
            File.Delete(segment.Path);
        }
        return new RecoveryOutcome(0, ChainHash.Genesis, null, cutBytes, cutSegment, reason, savedTo);
    }

    private static IEnumerable<SegmentFile> PathsNewestFirst(string logDirectory)
    {
        var segments = FrameLogPaths.ListSegments(logDirectory);
        for (var i = segments.Count - 1; i >= 0; i--)
            yield return segments[i];
    }

    private sealed record Tail(long GoodLength, long CutBytes, FrameRecord? LastRecord, string? Reason);

    private static async Task<Tail> ScanTailAsync(string path, int maxRecordBytes, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        var end = length;
        string? reason = null;

        // Bytes after the last newline are a write that did not finish.
        var lastNewline = await FindLastNewlineAsync(handle, end, cancellationToken).ConfigureAwait(false);
        if (lastNewline + 1 < end)
        {
            reason = "torn line";
            end = lastNewline + 1;
        }

        while (end > 0)
        {
            var previousNewline = await FindLastNewlineAsync(handle, end - 1, cancellationToken).ConfigureAwait(false);
            var lineStart = previousNewline + 1;
            var lineLength = end - 1 - lineStart;
            if (lineLength <= maxRecordBytes + FrameRecordJson.HashSuffixLength)
            {
                var line = new byte[lineLength];
                await RandomAccess.ReadAsync(handle, line, lineStart, cancellationToken).ConfigureAwait(false);
                if (TryParseStored(line, out var record))
                    return new Tail(end, length - end, record, reason);
            }
            reason ??= "unparsable line";
            end = lineStart;
        }
        return new Tail(0, length, null, reason);
    }

    private static bool TryParseStored(byte[] line, out FrameRecord record)
    {
        record = null!;
        if (!FrameRecordJson.TrySplitLine(line, out _, out _))
            return false;
        try
        {
            record = FrameRecordJson.Parse(line);
            return record.Seq > 0 && record.Hash.Length == FrameRecordJson.HashHexLength;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Offset of the last <c>\n</c> before <paramref name="end"/>, or -1.</summary>
    private static async Task<long> FindLastNewlineAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long end, CancellationToken cancellationToken)
    {
        var chunk = new byte[(int)Math.Min(ChunkBytes, Math.Max(end, 1))];
        while (end > 0)
        {
            var size = (int)Math.Min(chunk.Length, end);
            var start = end - size;
            var read = await RandomAccess.ReadAsync(handle, chunk.AsMemory(0, size), start, cancellationToken).ConfigureAwait(false);
            var at = chunk.AsSpan(0, read).LastIndexOf((byte)'\n');
            if (at >= 0)
                return start + at;
            end = start;
        }
        return -1;
    }

    private static async Task<string?> SaveCutAsync(string logDirectory, SegmentFile segment, long goodLength, CancellationToken cancellationToken)
    {
        var tornDirectory = Path.Combine(logDirectory, "torn");
        Directory.CreateDirectory(tornDirectory);
        var target = Path.Combine(tornDirectory, $"{segment.Name}.at-{goodLength}.bin");
        await using var source = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        source.Position = goodLength;
        await using var destination = new FileStream(target, FileMode.Create, FileAccess.Write);
        var buffer = new byte[ChunkBytes];
        long copied = 0;
        int read;
        while (copied < MaxSavedBytes && (read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var take = (int)Math.Min(read, MaxSavedBytes - copied);
            await destination.WriteAsync(buffer.AsMemory(0, take), cancellationToken).ConfigureAwait(false);
            copied += take;
        }
        return Path.GetRelativePath(logDirectory, target);
    }

    private static async Task TruncateAsync(string path, long length)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.SetLength(length);
        stream.Flush(flushToDisk: true);
    }
}
