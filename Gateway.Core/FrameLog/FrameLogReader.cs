using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Gateway.Core.FrameLog;

/// <summary>One stored line of a segment. <see cref="Bytes"/> excludes the newline and is valid until the next line is read.</summary>
public readonly record struct FrameLogLine(SegmentFile Segment, int LineNumber, long Offset, ReadOnlyMemory<byte> Bytes, LineEnd End, bool InLastSegment);

/// <summary>How a stored line ended.</summary>
public enum LineEnd
{
    /// <summary>A newline: the writer finished it.</summary>
    Newline,

    /// <summary>The file ended first: a write in progress, or one a crash cut short.</summary>
    EndOfFile,

    /// <summary>Longer than the reader's cap; <see cref="FrameLogLine.Bytes"/> holds its start only.</summary>
    Overlong,
}

/// <summary>A record with where it is stored.</summary>
public sealed record FrameLogEntry(string File, int Line, FrameRecord Record);

/// <summary>
/// Reads a frame log directory: segments in Seq order (their names), lines in file order. The live log can
/// be read while a writer appends: an unfinished last line is reported as such, never as a record.
/// </summary>
public sealed class FrameLogReader(string logDirectory, int maxLineBytes = 4 * 1024 * 1024)
{
    public string LogDirectory { get; } = logDirectory;

    public IReadOnlyList<SegmentFile> Segments() => FrameLogPaths.ListSegments(LogDirectory);

    /// <summary>Every stored line, raw. The verifier works on these.</summary>
    public async IAsyncEnumerable<FrameLogLine> ReadLinesAsync(long fromSeq = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var segments = Segments();
        var line = new byte[4096];
        for (var s = 0; s < segments.Count; s++)
        {
            // A segment ends where the next begins: skip whole segments before fromSeq.
            if (s + 1 < segments.Count && segments[s + 1].FirstSeq <= fromSeq)
                continue;
            var segment = segments[s];
            var inLast = s == segments.Count - 1;
            FileStream stream;
            try
            {
                stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
            }
            catch (FileNotFoundException)
            {
                continue; // deleted by retention while we listed
            }
            await using var _ = stream.ConfigureAwait(false);
            var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
            try
            {
                var number = 0;
                long offset = 0;
                var skippingOverlong = false;
                while (true)
                {
                    var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    while (TryTakeLine(ref buffer, out var content))
                    {
                        var length = (int)content.Length;
                        if (skippingOverlong)
                        {
                            skippingOverlong = false;
                            offset += length + 1;
                            continue;
                        }
                        number++;
                        EnsureCapacity(ref line, length);
                        content.CopyTo(line);
                        yield return new FrameLogLine(segment, number, offset, line.AsMemory(0, length), LineEnd.Newline, inLast);
                        offset += length + 1;
                    }

                    if (!skippingOverlong && buffer.Length > maxLineBytes)
                    {
                        // Report the line once, then drop bytes until its newline: memory stays bounded.
                        number++;
                        EnsureCapacity(ref line, maxLineBytes);
                        buffer.Slice(0, maxLineBytes).CopyTo(line);
                        yield return new FrameLogLine(segment, number, offset, line.AsMemory(0, maxLineBytes), LineEnd.Overlong, inLast);
                        skippingOverlong = true;
                    }
                    if (skippingOverlong)
                    {
                        offset += buffer.Length;
                        pipe.AdvanceTo(buffer.End);
                    }
                    else
                    {
                        pipe.AdvanceTo(buffer.Start, buffer.End);
                    }

                    if (result.IsCompleted)
                    {
                        if (!skippingOverlong && buffer.Length > 0)
                        {
                            number++;
                            var length = (int)buffer.Length;
                            EnsureCapacity(ref line, length);
                            buffer.CopyTo(line);
                            yield return new FrameLogLine(segment, number, offset, line.AsMemory(0, length), LineEnd.EndOfFile, inLast);
                        }
                        break;
                    }
                }
            }
            finally
            {
                await pipe.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Every finished record from <paramref name="fromSeq"/> on, parsed. An unfinished last line is skipped
    /// (a write in progress); any other line that is not a record throws <see cref="InvalidDataException"/>
    /// naming file and line (run <c>gateway verify</c> for the full diagnosis).
    /// </summary>
    public async IAsyncEnumerable<FrameLogEntry> ReadRecordsAsync(long fromSeq = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var line in ReadLinesAsync(fromSeq, cancellationToken).ConfigureAwait(false))
        {
            if (ParseRecord(line) is { } record && record.Seq >= fromSeq)
                yield return new FrameLogEntry(line.Segment.Name, line.LineNumber, record);
        }
    }

    /// <summary>
    /// The record on <paramref name="line"/>; null for an unfinished last line (a write in progress). Any other
    /// line that is not a record throws <see cref="InvalidDataException"/> naming file and line.
    /// </summary>
    public static FrameRecord? ParseRecord(in FrameLogLine line)
    {
        if (line.End == LineEnd.EndOfFile && line.InLastSegment)
            return null;
        if (line.End != LineEnd.Newline)
            throw new InvalidDataException($"{line.Segment.Name}:{line.LineNumber}: not a complete record");
        try
        {
            return FrameRecordJson.Parse(line.Bytes.Span);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{line.Segment.Name}:{line.LineNumber}: not a frame-log record: {e.Message}", e);
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> content)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out content, (byte)'\n'))
            return false;
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static void EnsureCapacity(ref byte[] line, int length)
    {
        if (line.Length < length)
            line = new byte[Math.Max(length, line.Length * 2)];
    }
}
