using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Core.FrameLog;

public sealed partial class FrameLogWriter
{
    private static readonly TimeSpan RetentionCheckEvery = TimeSpan.FromMinutes(1);

    /// <summary>Makes the current segment writable: repairs a failed write, rotates, applies retention.</summary>
    private void PrepareSegment(DateTimeOffset now)
    {
        if (_segment is null)
        {
            OpenSegment(now);
        }
        else if (_segmentNeedsRepair)
        {
            // A failed write may have left part of a batch behind: cut back to the last acknowledged byte.
            _segment.SetLength(_segmentLength);
            _segmentNeedsRepair = false;
        }

        var rotate = _segmentLength > 0
            && (_segmentLength >= _config.SegmentMaxBytes || now - _segmentOpenedAt >= _config.SegmentMaxAge);
        if (rotate)
        {
            _segment!.Dispose();
            _segment = null;
            OpenSegment(now);
        }
        if (rotate || now - _lastRetentionCheck >= RetentionCheckEvery)
        {
            _lastRetentionCheck = now;
            ApplyRetention(now);
        }
    }

    /// <summary>Every segment starts at the next Seq; each start and each rotation opens a new one.</summary>
    private void OpenSegment(DateTimeOffset now)
    {
        var firstSeq = _lastSeq + 1;
        var path = Path.Combine(_logDirectory, FrameLogPaths.SegmentFileName(firstSeq));
        var segment = _storage.Open(path);
        if (segment.Length != 0)
        {
            segment.Dispose();
            throw new IOException($"{path} already holds data: records after Seq {_lastSeq} exist that recovery did not find");
        }
        if (_config.Durability == Gateway.Core.Config.Durability.Fsync)
        {
            try
            {
                _storage.SyncDirectory(_logDirectory);
            }
            catch
            {
                segment.Dispose();
                throw;
            }
        }
        _segment = segment;
        _segmentFirstSeq = firstSeq;
        _segmentLength = 0;
        _segmentOpenedAt = now;
        _segmentNeedsRepair = false;
    }

    /// <summary>
    /// Deletes the oldest segments that are both shipped (every sink's cursor is past their last record) and
    /// older than <c>retention</c>, oldest first and without gaps, then notes the deletion in a
    /// <c>retention</c> record naming the hash the remaining log chains from, so the verifier can tell
    /// retention from a removed segment.
    /// </summary>
    private void ApplyRetention(DateTimeOffset now)
    {
        if (_config.Retention <= TimeSpan.Zero)
            return;
        try
        {
            var shippedThrough = ShippedThrough();
            var segments = FrameLogPaths.ListSegments(_logDirectory);
            var deleted = new JsonArray();
            var oldestKept = 0;
            for (; oldestKept < segments.Count - 1; oldestKept++)
            {
                var segment = segments[oldestKept];
                var lastSeqInSegment = segments[oldestKept + 1].FirstSeq - 1;
                if (segment.FirstSeq >= _segmentFirstSeq
                    || lastSeqInSegment > shippedThrough
                    || File.GetLastWriteTimeUtc(segment.Path) > (now - _config.Retention).UtcDateTime)
                    break;
                File.Delete(segment.Path);
                deleted.Add(segment.Name);
            }
            if (deleted.Count == 0)
                return;

            var kept = segments[oldestKept];
            var throughHash = kept.FirstSeq == _segmentFirstSeq && _segmentLength == 0 ? _head : ReadFirstPrevHash(kept.Path);
            Log.RetentionDeleted(_logger, deleted.Count, kept.FirstSeq - 1);
            _internalRecords.Add(GatewayRecord(FrameKinds.Retention, new JsonObject
            {
                ["deleted"] = deleted,
                ["through_seq"] = kept.FirstSeq - 1,
                ["through_hash"] = throughHash,
            }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // Retention is housekeeping: failing to delete keeps more log, never loses any.
            Log.RetentionFailed(_logger, e);
        }
    }

    private static string ReadFirstPrevHash(string path)
    {
        using var reader = new StreamReader(path);
        var line = reader.ReadLine() ?? throw new IOException($"{path} is empty");
        return FrameRecordJson.Parse(System.Text.Encoding.UTF8.GetBytes(line)).PrevHash;
    }

    /// <summary>
    /// The Seq through which every sink has shipped: the least <c>seq</c> among
    /// <c>{state_dir}/cursors/*.json</c>. Without sinks there is nothing to wait for.
    /// </summary>
    private long ShippedThrough()
    {
        if (!_requireShippedCursor)
            return long.MaxValue;
        var directory = FrameLogPaths.CursorDirectory(_stateDirectory);
        if (!Directory.Exists(directory))
            return 0;
        long? least = null;
        foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
        {
            var cursor = JsonNode.Parse(File.ReadAllBytes(file)) as JsonObject;
            var seq = cursor?["seq"] is JsonValue value && value.TryGetValue<long>(out var parsed) ? parsed : 0;
            least = least is null ? seq : Math.Min(least.Value, seq);
        }
        return least ?? 0;
    }
}
