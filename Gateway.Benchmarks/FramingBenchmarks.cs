using System.Buffers;
using BenchmarkDotNet.Attributes;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Benchmarks;

/// <summary>
/// Message framing: <see cref="PgMessageReader"/> over a receive buffer holding a whole result (1,000 DataRows of
/// ~100 bytes), stepping frame by frame as the session loops do (a fresh reader per frame, the sequence sliced
/// after each). Time and allocations are per message; the goal is zero allocations.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks : IBytesPerOperation
{
    private const int Rows = 1000;
    private static readonly byte[] Stream = WireFrames.ResultStream(Rows, out _);
    private ReadOnlySequence<byte> _contiguous;
    private ReadOnlySequence<byte> _segmented;

    public static long BytesPerOperation(string benchmark) => Stream.Length / (Rows + 2);

    [GlobalSetup]
    public void Setup()
    {
        _contiguous = new ReadOnlySequence<byte>(Stream);
        _segmented = Gateway.Fuzz.Targets.SegmentedSequence.Create(Stream, 4096);
    }

    [Benchmark(OperationsPerInvoke = Rows + 2)]
    public long ContiguousBuffer() => Walk(_contiguous);

    [Benchmark(OperationsPerInvoke = Rows + 2)]
    public long FourKiBSegments() => Walk(_segmented);

    private static long Walk(ReadOnlySequence<byte> remaining)
    {
        long bytes = 0;
        while (true)
        {
            var reader = new SequenceReader<byte>(remaining);
            if (!PgMessageReader.TryReadFrame(ref reader, 64 * 1024 * 1024, out var frame))
                break;
            bytes += frame.Length;
            remaining = remaining.Slice(reader.Position);
        }
        return bytes;
    }
}
