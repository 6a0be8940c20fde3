using Gateway.Protocols.Postgres.Auth;

namespace Gateway.Tests.Postgres.Upstream;

public sealed class PasswordHashTests
{
    [Test]
    public void Md5_answer_is_md5_of_hex_md5_of_password_and_user_plus_salt()
    {
        // Expected value computed independently: "md5" + md5(md5("secret" + "md5_user").hexdigest() + salt).hexdigest()
        Assert.That(Md5Password.Compute("md5_user", "secret", [1, 2, 3, 4]), Is.EqualTo("md530d9d09f02a72e0bbede8eccf68ddabc"));
    }

    [Test]
    public void Md5_refuses_a_salt_that_is_not_four_bytes()
    {
        Assert.Throws<ArgumentException>(() => Md5Password.Compute("u", "p", [1, 2, 3]));
    }

    [TestCase("pencil", "pencil")]
    [TestCase("with space\tand tab", "with space\tand tab")] // ASCII, controls included, is used unchanged (PostgreSQL's fast path)
    [TestCase("a\u00A0b", "a b")] // non-ASCII space maps to U+0020
    [TestCase("a\u00ADb\u200Bc", "ab c")] // soft hyphen removed; U+200B is a non-ASCII space and maps to U+0020 first
    [TestCase("pässwörd", "pässwörd")]
    [TestCase("x\u0007\u00E9", "x\u0007\u00E9")] // prohibited control with non-ASCII: the raw password is used
    [TestCase("\uE000\u00E9", "\uE000\u00E9")] // private use: raw password
    public void SaslPrep_maps_like_PostgreSQL(string password, string expected)
    {
        Assert.That(SaslPrep.Prepare(password), Is.EqualTo(expected));
    }
}
