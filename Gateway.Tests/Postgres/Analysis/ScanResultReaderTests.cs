using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>The protobuf token list of pg_query_scan, as byte arrays captured from libpg_query 15-4.0.</summary>
public sealed class ScanResultReaderTests
{
    // pg_query_scan("ALTER ROLE x PASSWORD 'a' -- c")
    private static readonly byte[] Captured =
    [
        0x08, 0xf1, 0x93, 0x09,
        0x12, 0x07, 0x10, 0x05, 0x20, 0x9f, 0x02, 0x28, 0x01,
        0x12, 0x09, 0x08, 0x06, 0x10, 0x0a, 0x20, 0xe2, 0x04, 0x28, 0x01,
        0x12, 0x07, 0x08, 0x0b, 0x10, 0x0c, 0x20, 0x82, 0x02,
        0x12, 0x09, 0x08, 0x0d, 0x10, 0x15, 0x20, 0xb6, 0x04, 0x28, 0x01,
        0x12, 0x07, 0x08, 0x16, 0x10, 0x19, 0x20, 0x85, 0x02,
        0x12, 0x07, 0x08, 0x1a, 0x10, 0x1e, 0x20, 0x93, 0x02,
    ];

    [Test]
    public void Captured_token_list_decodes_with_zero_start_defaulted()
    {
        var tokens = new List<SqlToken>();

        Assert.That(ScanResultReader.TryRead(Captured, tokens), Is.True);
        Assert.That(tokens, Is.EqualTo(new[]
        {
            new SqlToken(0, 5, 287, 1),          // ALTER
            new SqlToken(6, 10, 610, 1),         // ROLE
            new SqlToken(11, 12, SqlToken.Identifier, 0),
            new SqlToken(13, 21, 566, 1),        // PASSWORD
            new SqlToken(22, 25, SqlToken.StringConstant, 0),
            new SqlToken(26, 30, SqlToken.SqlComment, 0),
        }));
    }

    [Test]
    public void Every_truncation_is_rejected_or_yields_only_whole_tokens()
    {
        for (var length = 0; length < Captured.Length; length++)
        {
            var tokens = new List<SqlToken>();
            var ok = ScanResultReader.TryRead(Captured.AsSpan(0, length), tokens);
            // A cut on a token boundary is a valid shorter list; anywhere else the reader must refuse.
            if (ok)
                Assert.That(tokens, Is.EqualTo(ExpectedPrefix(tokens.Count)), $"length {length}");
        }
    }

    [Test]
    public void Oversized_length_and_endless_varint_are_rejected()
    {
        Assert.That(ScanResultReader.TryRead([0x12, 0x7f, 0x08], []), Is.False);
        Assert.That(ScanResultReader.TryRead([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], []), Is.False);
        Assert.That(ScanResultReader.TryRead([0x12, 0x04, 0x08, 0x05, 0x10, 0x01], []), Is.False);   // end < start
    }

    private static SqlToken[] ExpectedPrefix(int count)
    {
        var all = new List<SqlToken>();
        ScanResultReader.TryRead(Captured, all);
        return [.. all.Take(count)];
    }
}
