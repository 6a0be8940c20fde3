using System.Buffers;
using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Tests.Masking;

/// <summary>The protocol-facing masking API: column resolution, strategies, detectors, no-op for clean values.</summary>
public sealed class MaskingPlanTests
{
    private static readonly MaskingKey Key = MaskingKey.FromBytes(new byte[MaskingKey.Length]);

    private static MaskingPlan Plan(MaskStrategy strategy, string[] columns, params string[] detectors) =>
        new([new MaskSpec("r", columns, detectors.Select(d => DetectorCatalog.ByName[d]), strategy)], Key);

    private static string? Mask(MaskingPlan plan, string value, bool columnMasked)
    {
        var output = new ArrayBufferWriter<byte>();
        return plan.TryMask(Encoding.UTF8.GetBytes(value), columnMasked, output) ? Encoding.UTF8.GetString(output.WrittenSpan) : null;
    }

    [Test]
    public void ForColumns_resolves_globs_case_insensitively_once_per_shape()
    {
        var columns = Plan(MaskStrategy.Redact, ["*password*", "ssn", "card*"]).ForColumns(["id", "Password_Hash", "SSN", "card_number", "discard"]);
        Assert.That(Enumerable.Range(0, columns.Count).Select(columns.IsMasked), Is.EqualTo(new[] { false, true, true, true, false }));
        Assert.That(columns.MaskedCount, Is.EqualTo(3));
        Assert.That(columns.IsMasked(99), Is.False, "a column the shape lacks is not masked");
    }

    [Test]
    public void Redact_replaces_the_whole_value()
    {
        Assert.That(Mask(Plan(MaskStrategy.Redact, ["ssn"]), "123-45-6789", columnMasked: true), Is.EqualTo("****"));
    }

    [TestCase("4111111111111111", "****1111")]
    [TestCase("12345678", "****5678")]
    [TestCase("1234567", "****")]
    [TestCase("abc", "****")]
    [TestCase("", "****")]
    [TestCase("ééééééééé", "****éééé")]
    public void Partial_keeps_the_last_four_characters_of_long_enough_values(string value, string expected)
    {
        Assert.That(Mask(Plan(MaskStrategy.Partial, ["c"]), value, columnMasked: true), Is.EqualTo(expected));
    }

    [Test]
    public void Hash_is_a_keyed_pseudonym_that_still_joins()
    {
        var plan = Plan(MaskStrategy.Hash, ["email"]);
        var first = Mask(plan, "jane@example.com", columnMasked: true);
        Assert.That(first, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(Mask(plan, "jane@example.com", columnMasked: true), Is.EqualTo(first), "same value, same pseudonym");
        Assert.That(Mask(Plan(MaskStrategy.Hash, ["email"]), "jane@example.com", columnMasked: true), Is.EqualTo(first), "same key, another plan");
        Assert.That(Mask(plan, "john@example.com", columnMasked: true), Is.Not.EqualTo(first));

        var otherKey = new MaskingPlan([new MaskSpec("r", ["email"], [], MaskStrategy.Hash)], MaskingKey.Ephemeral());
        Assert.That(Mask(otherKey, "jane@example.com", columnMasked: true), Is.Not.EqualTo(first), "another deployment, another pseudonym");
    }

    [Test]
    public void Hash_needs_a_key()
    {
        Assert.Throws<ArgumentException>(() => _ = new MaskingPlan([new MaskSpec("r", ["email"], [], MaskStrategy.Hash)], key: null));
    }

    [Test]
    public void Null_tells_the_protocol_to_send_sql_null_and_never_writes_the_value()
    {
        var plan = Plan(MaskStrategy.Null, ["secret"]);
        var columns = plan.ForColumns(["id", "secret"]);
        Assert.That((columns.WritesNull(0), columns.WritesNull(1)), Is.EqualTo((false, true)));
        var output = new ArrayBufferWriter<byte>();
        Assert.That(columns.TryMask(1, "s3cr3t"u8, output), Is.True);
        Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("****"));
    }

    [Test]
    public void Detector_hits_take_their_rules_strategy()
    {
        Assert.That(Mask(Plan(MaskStrategy.Partial, [], "payment_card"), "paid with 4111 1111 1111 1111", columnMasked: false),
            Is.EqualTo("paid with ****1111"));
        var hashed = Mask(Plan(MaskStrategy.Hash, [], "email"), "from jane@example.com", columnMasked: false);
        Assert.That(hashed, Does.Match("^from [0-9a-f]{32}$"));
    }

    [Test]
    public void Overlapping_hits_of_different_detectors_merge_and_every_hit_is_masked()
    {
        var plan = Plan(MaskStrategy.Redact, [], "connection_string", "secret_assignment", "email", "aws_access_key");
        Assert.That(Mask(plan, "Password=pw1;user=a@example.com;key=AKIAIOSFODNN7EXAMPLE;pwd=pw2", columnMasked: false),
            Is.EqualTo("Password=****;user=****;key=****;pwd=****"));
    }

    [Test]
    public void A_clean_value_in_an_unmasked_column_is_left_alone()
    {
        var plan = Plan(MaskStrategy.Redact, ["ssn"], DetectorCatalog.All.Select(d => d.Name).ToArray());
        var columns = plan.ForColumns(["note"]);
        var output = new ArrayBufferWriter<byte>();
        Assert.That(columns.TryMask(0, "order 42 shipped 2024-01-15 10:00:00 to Berlin; status=ok"u8, output), Is.False);
        Assert.That(output.WrittenCount, Is.Zero);
        Assert.That(columns.TryMask(0, ""u8, output), Is.False);
    }

    [Test]
    public void A_plan_without_detectors_only_masks_columns()
    {
        var plan = Plan(MaskStrategy.Redact, ["ssn"]);
        Assert.That(plan.HasDetectors, Is.False);
        Assert.That(Mask(plan, "jane@example.com", columnMasked: false), Is.Null);
        Assert.That(plan.ForColumns(["x"]).NeedsInspection, Is.False, "rows can pass untouched");
    }

    [Test]
    public void Clean_values_allocate_nothing()
    {
        var plan = Plan(MaskStrategy.Redact, [], DetectorCatalog.All.Select(d => d.Name).ToArray());
        var output = new ArrayBufferWriter<byte>();
        byte[][] values =
        [
            "Berlin"u8.ToArray(),
            "2024-01-15 10:00:00+00"u8.ToArray(),
            "order 1234567 of customer 42: 3 items, total=19.99 EUR"u8.ToArray(),
            "https://example.com/a/b?page=2"u8.ToArray(),
            Encoding.UTF8.GetBytes(new string('x', 4000) + ":" + new string('y', 100)),
        ];
        foreach (var value in values)
            plan.TryMask(value, columnMasked: false, output); // warm up regex and pools

        var before = GC.GetAllocatedBytesForCurrentThread();
        var masked = 0;
        for (var round = 0; round < 100; round++)
        {
            foreach (var value in values)
                masked += plan.TryMask(value, columnMasked: false, output) ? 1 : 0;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That((masked, allocated), Is.EqualTo((0, 0L)));
    }

    [Test]
    public void Union_keeps_each_columns_strategy_and_the_strictest_for_shared_ones()
    {
        var redact = Plan(MaskStrategy.Redact, ["*password*", "shared"]);
        var hash = Plan(MaskStrategy.Hash, ["email", "shared"], "email");
        var union = MaskingPlan.Union(redact, hash);
        var columns = union.ForColumns(["password", "email", "shared", "id"]);
        Assert.That(Enumerable.Range(0, 4).Select(columns.StrategyOf),
            Is.EqualTo(new MaskStrategy?[] { MaskStrategy.Redact, MaskStrategy.Hash, MaskStrategy.Redact, null }));
        Assert.That(union.HasDetectors, Is.True);
        Assert.That(MaskingPlan.Union(redact, redact), Is.SameAs(redact));
    }

    [Test]
    public void MaskText_masks_an_audit_copy_and_returns_clean_text_unchanged()
    {
        var audit = MaskingPlan.AllDetectorsRedacted;
        const string clean = "select * from orders where id = 42";
        Assert.That(audit.MaskText(clean), Is.SameAs(clean));
        Assert.That(audit.MaskText("alter role app password 'x' -- token=abc123"), Is.EqualTo("alter role app password 'x' -- token=****"));
        Assert.That(audit.MaskText("select * from users where email = 'jane@example.com'"),
            Is.EqualTo("select * from users where email = '****'"));
    }

    [Test]
    public void Large_values_are_scanned_whole()
    {
        var plan = Plan(MaskStrategy.Redact, [], "secret_assignment", "email");
        var value = new string('a', 100_000) + " password=hunter2 " + new string('b', 100_000) + " bob@example.org";
        var masked = Mask(plan, value, columnMasked: false)!;
        Assert.That(masked, Does.Contain(" password=**** ").And.EndsWith(" ****"));
        Assert.That(masked, Has.Length.EqualTo(value.Length - "hunter2".Length + 4 - "bob@example.org".Length + 4));
    }
}
