using System.IO.Compression;

namespace Gateway.Host.Sinks;

/// <summary>
/// One Logs Ingestion call being assembled: frame-log lines joined into a JSON array (<c>[l1,l2,...]</c>) in a buffer
/// that never exceeds the uncompressed body limit, plus where the cursor goes once the call is accepted. The
/// buffers are reused from batch to batch.
/// </summary>
internal sealed class IngestionBatch : IDisposable
{
    private readonly byte[] _body;
    private readonly MemoryStream _compressed = new();
    private int _length = 1;

    public IngestionBatch(int maxBodyBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBodyBytes, 16);
        _body = new byte[maxBodyBytes];
        _body[0] = (byte)'[';
    }

    public int MaxBodyBytes => _body.Length;

    /// <summary>Largest single record that fits an otherwise empty batch.</summary>
    public int MaxRecordBytes => _body.Length - 2;

    public int Count { get; private set; }

    /// <summary>Bytes of the JSON array as it will be sent, brackets included.</summary>
    public int BodyLength => _length + 1;

    public long FirstSeq { get; private set; }
    public long LastSeq { get; private set; }
    public DateTimeOffset OldestTime { get; private set; }

    /// <summary>When the first record joined; the batch is sent at the latest one flush interval later.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Segment and offset just past the last record: where the cursor goes once this batch is accepted.</summary>
    public string? EndSegment { get; private set; }

    public long EndOffset { get; private set; }

    /// <returns>False when the record does not fit; the batch is then full and nothing was added.</returns>
    public bool TryAdd(ReadOnlySpan<byte> record, long seq, DateTimeOffset timeGenerated, string endSegment, long endOffset, DateTimeOffset now)
    {
        var separator = Count > 0 ? 1 : 0;
        if (_length + separator + record.Length + 1 > _body.Length)
            return false;
        if (separator == 1)
            _body[_length++] = (byte)',';
        record.CopyTo(_body.AsSpan(_length));
        _length += record.Length;

        if (Count == 0)
        {
            FirstSeq = seq;
            OldestTime = timeGenerated;
            StartedAt = now;
        }
        Count++;
        LastSeq = seq;
        EndSegment = endSegment;
        EndOffset = endOffset;
        return true;
    }

    /// <summary>The gzip'd JSON array; the memory stays valid until the next <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> Compress()
    {
        _body[_length] = (byte)']';
        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(_body, 0, _length + 1);
        return _compressed.GetBuffer().AsMemory(0, (int)_compressed.Length);
    }

    /// <summary>The uncompressed JSON array (for tests and diagnostics).</summary>
    public ReadOnlySpan<byte> Body
    {
        get
        {
            _body[_length] = (byte)']';
            return _body.AsSpan(0, _length + 1);
        }
    }

    public void Clear()
    {
        _length = 1;
        Count = 0;
        EndSegment = null;
        EndOffset = 0;
        FirstSeq = LastSeq = 0;
        OldestTime = StartedAt = default;
    }

    public void Dispose() => _compressed.Dispose();
}
