using Gateway.Core.Policy;

namespace Gateway.Tests.Policy;

/// <summary>Name patterns: <c>*</c> and <c>?</c>, case rules, schema-qualified names.</summary>
public sealed class GlobTests
{
    [TestCase("orders", "orders", true)]
    [TestCase("orders", "orders_archive", false)]
    [TestCase("orders*", "orders_archive", true)]
    [TestCase("*_archive", "orders_archive", true)]
    [TestCase("*der*", "orders", true)]
    [TestCase("*", "", true)]
    [TestCase("pg_ls_*dir", "pg_ls_waldir", true)]
    [TestCase("pg_ls_*dir", "pg_ls_dir", true)]
    [TestCase("pg_ls_*dir", "pg_ls_dirs", false)]
    [TestCase("pg_*replication_slot*", "pg_create_logical_replication_slot", true)]
    [TestCase("pg_*replication_slot*", "pg_replication_origin_create", false)]
    [TestCase("a*b*a", "aba", true)]
    [TestCase("a*b*a", "ab", false)]
    [TestCase("a*a", "a", false)]
    [TestCase("user?", "users", true)]
    [TestCase("user?", "user", false)]
    [TestCase("?*x", "x", false)]
    [TestCase("*?x", "ax", true)]
    public void Matches(string pattern, string name, bool expected)
    {
        Assert.That(new Glob(pattern, ignoreCase: false).IsMatch(name), Is.EqualTo(expected));
    }

    [Test]
    public void Case_sensitivity_follows_the_field()
    {
        Assert.That(new Glob("Orders*", ignoreCase: true).IsMatch("ORDERS_2024"), Is.True);
        Assert.That(new Glob("Orders*", ignoreCase: false).IsMatch("ORDERS_2024"), Is.False);
        Assert.That(new NameMatcher(["Alice"], ignoreCase: false).Matches("alice"), Is.False);
        Assert.That(new NameMatcher(["Alice"], ignoreCase: true).Matches("alice"), Is.True);
    }

    [TestCase("users", "users", true)]
    [TestCase("users", "public.users", true)]
    [TestCase("users", "public.users_old", false)]
    [TestCase("public.users", "public.users", true)]
    [TestCase("public.users", "users", true)]
    [TestCase("public.users", "app.users", false)]
    [TestCase("hr.*", "hr.salaries", true)]
    [TestCase("hr.*", "salaries", true)]
    [TestCase("hr.*", "public.salaries", false)]
    [TestCase("*.secrets", "vault.secrets", true)]
    [TestCase("*.secrets", "secrets", true)]
    public void Qualified_names(string pattern, string name, bool expected)
    {
        Assert.That(new QualifiedNameMatcher([pattern]).Matches(name), Is.EqualTo(expected));
    }

    [TestCase("*", "anything", true)]
    [TestCase("audit_*", "audit_log", true)]
    [TestCase("audit_*", "audit_log*", true)]
    [TestCase("*_log", "audit*_log", true)]
    [TestCase("*dit*", "au*dit_log", true)]
    [TestCase("audit_log*", "audit_*", false)]
    [TestCase("a*b", "ab*", false)]
    [TestCase("orders", "orders*", false)]
    public void Coverage_is_certain_or_denied(string wide, string narrow, bool expected)
    {
        Assert.That(GlobCoverage.Covers(wide, narrow, ignoreCase: true), Is.EqualTo(expected));
    }
}
