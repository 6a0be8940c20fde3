using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Core.FrameLog;

/// <summary>
/// A signed checkpoint: the records <see cref="FirstSeq"/>..<see cref="LastSeq"/> end in the chain head
/// <see cref="HeadHash"/>, signed by the node key. The signature covers
/// <c>"gateway-frame-log-checkpoint\n{node}\n{first_seq}\n{last_seq}\n{head_hash}"</c> (UTF-8), so a signed
/// head vouches for every record before it through the chain.
/// </summary>
public sealed record Checkpoint(long FirstSeq, long LastSeq, string HeadHash, string KeyId, string Signature)
{
    public const string Algorithm = "ES256";

    public static byte[] SignedMessage(string node, long firstSeq, long lastSeq, string headHash) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"gateway-frame-log-checkpoint\n{node}\n{firstSeq}\n{lastSeq}\n{headHash}"));

    public static Checkpoint Create(NodeSigningKey key, string node, long firstSeq, long lastSeq, string headHash)
    {
        var signature = key.Sign(SignedMessage(node, firstSeq, lastSeq, headHash));
        return new Checkpoint(firstSeq, lastSeq, headHash, key.KeyId, Convert.ToBase64String(signature));
    }

    public JsonObject ToPayload() => new()
    {
        ["first_seq"] = FirstSeq,
        ["last_seq"] = LastSeq,
        ["head_hash"] = HeadHash,
        ["alg"] = Algorithm,
        ["key_id"] = KeyId,
        ["signature"] = Signature,
    };

    public static bool TryFromPayload(JsonObject? payload, out Checkpoint checkpoint)
    {
        checkpoint = null!;
        if (payload is null
            || !TryGet(payload, "first_seq", out long first)
            || !TryGet(payload, "last_seq", out long last)
            || !TryGet(payload, "head_hash", out string? head)
            || !TryGet(payload, "alg", out string? alg) || alg != Algorithm
            || !TryGet(payload, "key_id", out string? keyId)
            || !TryGet(payload, "signature", out string? signature))
            return false;
        checkpoint = new Checkpoint(first, last, head!, keyId!, signature!);
        return true;
    }

    public bool VerifySignature(NodeSigningKey key, string node)
    {
        Span<byte> signature = stackalloc byte[96];
        if (!Convert.TryFromBase64String(Signature, signature, out var length))
            return false;
        return key.Verify(SignedMessage(node, FirstSeq, LastSeq, HeadHash), signature[..length]);
    }

    private static bool TryGet<T>(JsonObject payload, string name, out T? value)
    {
        value = default;
        return payload[name] is JsonValue node && node.TryGetValue(out value) && value is not null;
    }
}
