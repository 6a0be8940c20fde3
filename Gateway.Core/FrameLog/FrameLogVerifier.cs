using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Core.FrameLog;

/// <summary>
/// Walks every segment and checks each line: it is a record, its Hash covers its content and chains from the
/// previous record's Hash, Seq is gapless, each segment starts at the Seq its name says, and every checkpoint
/// is signed by the node key over the chain head at that point. Stops at the first problem. A torn tail
/// (recovery cut it and said so, or a crash left it and no restart cut it yet) and retention's deletion of
/// old segments (accounted for by a <c>retention</c> record) are notes, not problems.
/// </summary>
public sealed class FrameLogVerifier(string logDirectory, NodeSigningKey? publicKey)
{
    /// <summary>Verifies the log under <paramref name="stateDirectory"/> with the node key stored there unless one is given.</summary>
    public static FrameLogVerifier ForStateDirectory(string stateDirectory, NodeSigningKey? publicKey = null)
    {
        var keyPath = FrameLogPaths.SigningKeyPath(stateDirectory);
        publicKey ??= File.Exists(keyPath) ? NodeSigningKey.LoadPem(File.ReadAllText(keyPath)) : null;
        return new FrameLogVerifier(FrameLogPaths.LogDirectory(stateDirectory), publicKey);
    }

    public async Task<FrameLogVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var walk = new ChainWalk(publicKey);
        using var hash = new ChainHash();
        var reader = new FrameLogReader(logDirectory);
        await foreach (var line in reader.ReadLinesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!walk.Check(line, hash))
                break;
        }
        walk.Finish();
        return walk.Result();
    }

    /// <summary>The state of one verification pass.</summary>
    private sealed class ChainWalk(NodeSigningKey? key)
    {
        private readonly List<string> _notes = [];
        private FrameLogProblem? _problem;
        private long _records;
        private int _segments;
        private int _checkpoints;
        private long _firstSeq;
        private long _lastSeq;
        private string? _head;
        private SegmentFile? _segment;
        private bool _segmentHasRecord;
        private (string File, int Line, long Seq, string PrevHash)? _retentionAnchor;
        private bool _anchorAccounted;

        public bool Check(FrameLogLine line, ChainHash hash)
        {
            if (!ReferenceEquals(_segment, line.Segment))
            {
                _segment = line.Segment;
                _segments++;
                _segmentHasRecord = false;
            }
            var file = line.Segment.Name;
            switch (line.End)
            {
                case LineEnd.EndOfFile when line.InLastSegment:
                    _notes.Add($"{file}:{line.LineNumber}: unfinished last line ({line.Bytes.Length} bytes after Seq {_lastSeq}): "
                        + "a write cut short by a crash or still in progress; the gateway cuts it on its next start");
                    return true;
                case LineEnd.EndOfFile:
                    return Fail(file, line.LineNumber, null, "unfinished line at the end of a segment that is not the last");
                case LineEnd.Overlong:
                    return Fail(file, line.LineNumber, null, "line longer than any record the writer produces");
            }

            var bytes = line.Bytes.Span;
            FrameRecord record;
            try
            {
                record = FrameRecordJson.Parse(bytes);
            }
            catch (JsonException e)
            {
                return Fail(file, line.LineNumber, null, $"not a valid record: {e.Message}");
            }
            if (!FrameRecordJson.TrySplitLine(bytes, out var body, out var storedHash))
                return Fail(file, line.LineNumber, record.Seq, "the line does not end with its Hash member");

            Span<char> computed = stackalloc char[FrameRecordJson.HashHexLength];
            try
            {
                hash.Compute(record.PrevHash, body, computed);
            }
            catch (FormatException)
            {
                return Fail(file, line.LineNumber, record.Seq, "PrevHash is not 64 hex digits: the record was altered");
            }
            Span<char> stored = stackalloc char[FrameRecordJson.HashHexLength];
            for (var i = 0; i < stored.Length; i++)
                stored[i] = (char)storedHash[i];
            if (!computed.SequenceEqual(stored))
                return Fail(file, line.LineNumber, record.Seq, "Hash does not match the record's content: the record was altered");

            if (_head is null)
            {
                _firstSeq = record.Seq;
                if (record.Seq == 1 && record.PrevHash != ChainHash.Genesis)
                    return Fail(file, line.LineNumber, record.Seq, "the first record does not chain from the genesis hash");
                if (record.Seq != 1)
                    _retentionAnchor = (file, line.LineNumber, record.Seq, record.PrevHash);
            }
            else
            {
                if (record.Seq != _lastSeq + 1)
                    return Fail(file, line.LineNumber, record.Seq, record.Seq > _lastSeq + 1
                        ? $"Seq {record.Seq} follows Seq {_lastSeq}: records are missing (removed) or out of order"
                        : $"Seq {record.Seq} follows Seq {_lastSeq}: records are out of order or duplicated");
                if (record.PrevHash != _head)
                    return Fail(file, line.LineNumber, record.Seq, $"PrevHash does not match the Hash of Seq {_lastSeq}: the chain is broken");
            }
            if (!_segmentHasRecord)
            {
                _segmentHasRecord = true;
                if (record.Seq != line.Segment.FirstSeq)
                    return Fail(file, line.LineNumber, record.Seq, $"the segment's name says it starts at Seq {line.Segment.FirstSeq}");
            }

            _records++;
            _lastSeq = record.Seq;
            _head = record.Hash;
            return record.Kind switch
            {
                FrameKinds.Checkpoint => CheckCheckpoint(file, line.LineNumber, record),
                FrameKinds.Recovery => NoteRecovery(file, line.LineNumber, record),
                FrameKinds.Retention => CheckRetention(record),
                _ => true,
            };
        }

        private bool CheckCheckpoint(string file, int line, FrameRecord record)
        {
            if (!Checkpoint.TryFromPayload(record.Payload, out var checkpoint))
                return Fail(file, line, record.Seq, "checkpoint payload is malformed");
            if (checkpoint.LastSeq != record.Seq - 1 || checkpoint.HeadHash != record.PrevHash || checkpoint.FirstSeq > checkpoint.LastSeq)
                return Fail(file, line, record.Seq, "checkpoint does not sign the chain head that precedes it");
            if (key is null)
                return Fail(file, line, record.Seq, "no public key to verify the checkpoint signature (use --public-key or the state_dir key)");
            if (checkpoint.KeyId != key.KeyId)
                return Fail(file, line, record.Seq, $"checkpoint signed by key {checkpoint.KeyId}, not by the node key {key.KeyId}");
            if (!checkpoint.VerifySignature(key, record.Node))
                return Fail(file, line, record.Seq, "checkpoint signature is invalid");
            _checkpoints++;
            return true;
        }

        private bool NoteRecovery(string file, int line, FrameRecord record)
        {
            var payload = record.Payload;
            _notes.Add($"{file}:{line} (Seq {record.Seq}): recovery after a crash cut {Text(payload, "cut_bytes")} bytes "
                + $"({Text(payload, "reason")}) from {Text(payload, "segment")} after Seq {Text(payload, "last_good_seq")}"
                + (payload?["saved_to"] is { } saved ? $"; the cut bytes are kept in {saved}" : ""));
            return true;
        }

        private bool CheckRetention(FrameRecord record)
        {
            if (_retentionAnchor is { } anchor
                && record.Payload?["through_seq"] is JsonValue seq && seq.TryGetValue<long>(out var through) && through == anchor.Seq - 1
                && record.Payload?["through_hash"] is JsonValue hash && hash.TryGetValue<string>(out var throughHash) && throughHash == anchor.PrevHash)
            {
                _anchorAccounted = true;
            }
            return true;
        }

        public void Finish()
        {
            if (_problem is null && _retentionAnchor is { } anchor)
            {
                if (_anchorAccounted)
                    _notes.Add($"records before Seq {anchor.Seq} were deleted by retention (a retention record accounts for them)");
                else
                    Fail(anchor.File, anchor.Line, anchor.Seq,
                        $"the log starts at Seq {anchor.Seq}: earlier records are missing and no retention record accounts for them");
            }
        }

        public FrameLogVerification Result() =>
            new(_records, _segments, _checkpoints, _firstSeq, _lastSeq, _head ?? ChainHash.Genesis, _problem, _notes);

        private bool Fail(string file, int line, long? seq, string what)
        {
            _problem ??= new FrameLogProblem(file, line, seq, what);
            return false;
        }

        private static string Text(JsonObject? payload, string name) => payload?[name]?.ToString() ?? "?";
    }
}
