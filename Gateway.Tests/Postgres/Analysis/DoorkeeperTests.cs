using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>The analysis cache's doorkeeper, with chosen hashes (a text's hash is random per process).</summary>
public sealed class DoorkeeperTests
{
    [Test]
    public void A_hash_is_new_once_then_seen()
    {
        var doorkeeper = new Doorkeeper(4096);

        Assert.That(doorkeeper.SeenBefore(12345), Is.False);
        Assert.That(doorkeeper.SeenBefore(12345), Is.True);
        Assert.That(doorkeeper.SeenBefore(54321), Is.False);
    }

    [Test]
    public void Hashes_that_share_a_bit_do_not_keep_each_other_out()
    {
        // Same low 12 bits, so the same first bit of 4,096: a table with one hash per slot would let these two,
        // alternating, overwrite each other for ever.
        var doorkeeper = new Doorkeeper(4096);
        const int first = 0x0001_0ABC;
        const int second = 0x0002_0ABC;

        Assert.That(doorkeeper.SeenBefore(first), Is.False);
        Assert.That(doorkeeper.SeenBefore(second), Is.False);
        Assert.That(doorkeeper.SeenBefore(first), Is.True);
        Assert.That(doorkeeper.SeenBefore(second), Is.True);
    }

    [Test]
    public void It_forgets_after_an_eighth_of_its_bits_in_new_hashes()
    {
        var doorkeeper = new Doorkeeper(4096);
        doorkeeper.SeenBefore(-1);
        var added = 1;
        for (var hash = 0; added <= 4096 / 8; hash++)
        {
            if (!doorkeeper.SeenBefore(hash))
                added++;
        }

        Assert.That(doorkeeper.SeenBefore(-1), Is.False, "cleared, so -1 is new again");
    }
}
