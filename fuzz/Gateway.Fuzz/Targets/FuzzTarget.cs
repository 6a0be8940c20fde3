using System.Buffers;
using Gateway.Protocols.Postgres.Auth;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Upstream;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// One fuzzing target: bytes in, the decoder under test runs over them. The rejections a hostile peer is meant
/// to get (protocol violations, refused upstream connections, failed SCRAM) are the expected outcome and are
/// swallowed here; any other exception escapes and is a finding.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>Every target, by the name <c>run-fuzz.sh</c> and the corpus directories use.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
        [new FrontendDecoderTarget(), new BackendDecoderTarget(), new StartupTarget(), new UpstreamStartupTarget()];

    public abstract string Name { get; }

    public void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            Decode(AsSequence(input));
        }
        catch (Exception e) when (e is PgProtocolException or UpstreamConnectException or PgAuthenticationException)
        {
            // A refusal, as designed.
        }
    }

    protected abstract void Decode(ReadOnlySequence<byte> input);

    /// <summary>
    /// The first byte picks a segment length (1..256) and the rest becomes a sequence of that many bytes per
    /// segment: data from a socket arrives split anywhere, so the multi-segment paths are fuzzed too.
    /// </summary>
    internal static ReadOnlySequence<byte> AsSequence(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return ReadOnlySequence<byte>.Empty;
        return SegmentedSequence.Create(input[1..].ToArray(), input[0] + 1);
    }
}
