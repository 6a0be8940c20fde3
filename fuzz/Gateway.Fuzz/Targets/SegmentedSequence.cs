using System.Buffers;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// Bytes as a multi-segment <see cref="ReadOnlySequence{T}"/>, one segment per <c>segmentLength</c> bytes, the way
/// socket reads hand them over. Shared by the fuzz targets, the protocol tests and the benchmarks (which compile this file).
/// </summary>
public static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(byte[] bytes, int segmentLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentLength, 1);
        if (bytes.Length == 0)
            return ReadOnlySequence<byte>.Empty;
        if (bytes.Length <= segmentLength)
            return new ReadOnlySequence<byte>(bytes);
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentLength)
        {
            var memory = bytes.AsMemory(offset, Math.Min(segmentLength, bytes.Length - offset));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>A segment that can be chained by hand (tests build huge logical payloads from reused chunks).</summary>
    public sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
