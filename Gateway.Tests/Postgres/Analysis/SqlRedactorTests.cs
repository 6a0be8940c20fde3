using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

public sealed class SqlRedactorTests
{
    private static readonly SqlAnalyzer Analyzer = new();

    private static string Redact(string sql) => SqlRedactor.Redact(sql, Analyzer.Analyze(sql, CommandOrigin.Query));

    [TestCase("CREATE ROLE app LOGIN PASSWORD 'hunter2'", "CREATE ROLE app LOGIN PASSWORD '***'")]
    [TestCase("ALTER USER app WITH ENCRYPTED PASSWORD 'SCRAM-SHA-256$4096:abc'", "ALTER USER app WITH ENCRYPTED PASSWORD '***'")]
    [TestCase("alter role app password E'hun\\'ter2' valid until '2030-01-01'", "alter role app password '***' valid until '***'")]
    [TestCase("CREATE USER app PASSWORD $pw$hunter2$pw$", "CREATE USER app PASSWORD '***'")]
    [TestCase("CREATE USER app PASSWORD /* why */ U&'hunter\\0032'", "CREATE USER app PASSWORD /* why */ '***'")]
    [TestCase("CREATE USER app PASSWORD 'hun'\n'ter2'", "CREATE USER app PASSWORD '***'")]
    [TestCase("CREATE USER app PASSWORD U&'!0068unter2' UESCAPE '!' VALID UNTIL 'infinity'", "CREATE USER app PASSWORD '***' UESCAPE '***' VALID UNTIL '***'")]
    public void Role_passwords_are_masked_in_every_quoting_form(string sql, string expected)
    {
        Assert.That(Redact(sql), Is.EqualTo(expected));
    }

    [Test]
    public void User_mapping_and_server_options_mask_secret_values_only()
    {
        Assert.That(Redact("CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'remote', password 'hunter2')"),
            Is.EqualTo("CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'remote', password '***')"));
        Assert.That(Redact("ALTER USER MAPPING FOR app SERVER s OPTIONS (SET password 'new', ADD sslpassword 'k')"),
            Is.EqualTo("ALTER USER MAPPING FOR app SERVER s OPTIONS (SET password '***', ADD sslpassword '***')"));
        Assert.That(Redact("CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'db', aws_secret_access_key 'AKIA', \"Api_Token\" 't')"),
            Is.EqualTo("CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'db', aws_secret_access_key '***', \"Api_Token\" '***')"));
    }

    [Test]
    public void Connection_strings_with_credentials_are_masked()
    {
        Assert.That(Redact("CREATE SUBSCRIPTION sub CONNECTION 'host=db user=rep password=hunter2' PUBLICATION p"),
            Is.EqualTo("CREATE SUBSCRIPTION sub CONNECTION '***' PUBLICATION p"));
        Assert.That(Redact("SELECT dblink_connect('postgresql://rep:hunter2@db/postgres'), 'password is fine here'"),
            Is.EqualTo("SELECT dblink_connect('***'), 'password is fine here'"));
    }

    [Test]
    public void Text_without_secrets_is_returned_unchanged()
    {
        const string sql = "SELECT 'hello', name FROM users WHERE note = 'x'";

        Assert.That(Redact(sql), Is.SameAs(sql));
    }

    [Test]
    public void Multibyte_text_keeps_its_characters_around_a_masked_literal()
    {
        Assert.That(Redact("SELECT 'é'; ALTER ROLE \"Ünïcode\" PASSWORD 'ß€cret'"), Is.EqualTo("SELECT '***'; ALTER ROLE \"Ünïcode\" PASSWORD '***'"));
    }

    [Test]
    public void Text_the_lexer_rejects_is_cut_after_the_secret_word()
    {
        var sql = "CREATE ROLE app PASSWORD 'hunter2";

        Assert.That(Redact(sql), Is.EqualTo("CREATE ROLE app PASSWORD ***"));
    }
}
