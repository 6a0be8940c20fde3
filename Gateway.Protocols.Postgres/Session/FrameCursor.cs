using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// Steps through the complete frames of a receive buffer in an async loop (a <see cref="SequenceReader{T}"/>
/// cannot live across an await): each call slices the next frame off <paramref name="remaining"/>.
/// </summary>
internal static class FrameCursor
{
    public static bool TryNext(ref ReadOnlySequence<byte> remaining, int maxLength, out PgFrame frame)
    {
        var reader = new SequenceReader<byte>(remaining);
        if (!PgMessageReader.TryReadFrame(ref reader, maxLength, out frame))
            return false;
        remaining = remaining.Slice(reader.Position);
        return true;
    }
}
