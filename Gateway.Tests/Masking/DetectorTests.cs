using System.Buffers;
using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Tests.Masking;

/// <summary>Every detector: what it must find (masked in place) and look-alikes it must leave alone.</summary>
public sealed class DetectorTests
{
    /// <summary>Masks <paramref name="text"/> with only <paramref name="detector"/>, redacting; null when nothing was found.</summary>
    internal static string? MaskWith(string detector, string text)
    {
        var plan = new MaskingPlan([new MaskSpec("test", [], [DetectorCatalog.ByName[detector]], MaskStrategy.Redact)], key: null);
        var output = new ArrayBufferWriter<byte>();
        var masked = plan.TryMask(Encoding.UTF8.GetBytes(text), columnMasked: false, output);
        if (!masked)
            Assert.That(output.WrittenCount, Is.Zero, "nothing is written when nothing is found");
        return masked ? Encoding.UTF8.GetString(output.WrittenSpan) : null;
    }

    private static readonly string AzureKey = Convert.ToBase64String([.. Enumerable.Range(0, 64).Select(i => (byte)((i * 37) + 11))]);
    private static readonly string Sha256Base64 = Convert.ToBase64String(new byte[32]);
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    private const string GitHubClassic = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    private const string Pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----";

    [TestCase("email", "contact alice.smith+tag@example.co.uk today", "contact **** today")]
    [TestCase("email", "a@b.io,c.d@e-f.org", "****,****")]
    [TestCase("email", "\"Jane\" <JANE_DOE@Example.COM>", "\"Jane\" <****>")]
    [TestCase("payment_card", "card 4111 1111 1111 1111 exp 12/29", "card **** exp 12/29")]
    [TestCase("payment_card", "4111-1111-1111-1111", "****")]
    [TestCase("payment_card", "mc=5500005555555559;amex=378282246310005", "mc=****;amex=****")]
    [TestCase("payment_card", "discover 6011111111111117.", "discover ****.")]
    [TestCase("iban", "pay to DE89 3704 0044 0532 0130 00 now", "pay to **** now")]
    [TestCase("iban", "GB82WEST12345698765432", "****")]
    [TestCase("us_ssn", "ssn: 123-45-6789.", "ssn: ****.")]
    [TestCase("jwt", "Authorization: Bearer " + Jwt, "Authorization: Bearer ****")]
    [TestCase("pem_private_key", "key=" + Pem + "\nrest", "key=****\nrest")]
    [TestCase("pem_private_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "****")]
    [TestCase("pem_private_key", "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----", "****")]
    [TestCase("aws_access_key", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY_ID=****")]
    [TestCase("aws_access_key", "temp ASIAY34FZKBOKMUTVV7A used", "temp **** used")]
    [TestCase("aws_secret_key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = ****")]
    [TestCase("aws_secret_key", "{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}", "{\"SecretAccessKey\": \"****\"}")]
    [TestCase("sas_token", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&se=2030-01-01&sig=5c7mQ%2Bzr9XoRd2C1lm%2FqKD0123456789abcd%3D", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&se=2030-01-01&sig=****")]
    [TestCase("connection_string", "Server=db;User Id=app;Password=s3cr3t!;Encrypt=true", "Server=db;User Id=app;Password=****;Encrypt=true")]
    [TestCase("connection_string", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=core.windows.net", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=****;EndpointSuffix=core.windows.net")]
    [TestCase("connection_string", "Driver={PostgreSQL};Uid=app;Pwd='two words';", "Driver={PostgreSQL};Uid=app;Pwd='****';")]
    [TestCase("connection_string", "postgres://app:hunter2@db.internal:5432/app", "postgres://app:****@db.internal:5432/app")]
    [TestCase("github_token", "token " + GitHubClassic + " end", "token **** end")]
    [TestCase("github_token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "****")]
    [TestCase("slack_token", "SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "SLACK=****")]
    [TestCase("secret_assignment", "login?user=bob&password=hunter2&next=/", "login?user=bob&password=****&next=/")]
    [TestCase("secret_assignment", "DB_PASSWORD: 'correct horse'", "DB_PASSWORD: '****'")]
    [TestCase("secret_assignment", "{\"client_secret\": \"abc.def\", \"id\": 1}", "{\"client_secret\": \"****\", \"id\": 1}")]
    [TestCase("secret_assignment", "Secret=xyz csrf_token=t0k x-api-key: abc apikey=k", "Secret=**** csrf_token=**** x-api-key: **** apikey=****")]
    [TestCase("secret_assignment", "export GITHUB_TOKEN=\"abc\" PGPASSWORD=pw", "export GITHUB_TOKEN=\"****\" PGPASSWORD=****")]
    public void Finds_and_masks(string detector, string text, string expected)
    {
        Assert.That(MaskWith(detector, text), Is.EqualTo(expected));
    }

    [Test]
    public void Finds_an_azure_storage_account_key()
    {
        Assert.That(AzureKey, Has.Length.EqualTo(88));
        Assert.That(MaskWith("azure_storage_key", $"key1 {AzureKey} rotated"), Is.EqualTo("key1 **** rotated"));
    }

    [TestCase("email", "user@localhost")]
    [TestCase("email", "@handle and @@")]
    [TestCase("email", "price 5 @ 3.00")]
    [TestCase("email", "ping root@10.0.0.1")]
    [TestCase("email", "a@b")]
    [TestCase("payment_card", "4111111111111112")]
    [TestCase("payment_card", "1234567812345670")]
    [TestCase("payment_card", "order 41111111111111110000 shipped")]
    [TestCase("payment_card", "2024-01-15 10:00:00.123456")]
    [TestCase("payment_card", "id4111111111111111")]
    [TestCase("payment_card", "+1 415 555 0100")]
    [TestCase("iban", "GB82WEST12345698765433")]
    [TestCase("iban", "XX89370400440532013000")]
    [TestCase("iban", "DE8937040044053201300")]
    [TestCase("iban", "SKU AB12CDEF3456GHIJ78")]
    [TestCase("us_ssn", "000-12-3456 666-12-3456 900-12-3456")]
    [TestCase("us_ssn", "123-00-4567 123-45-0000")]
    [TestCase("us_ssn", "call 555-123-4567")]
    [TestCase("us_ssn", "2024-01-15")]
    [TestCase("us_ssn", "x123-45-6789 123-45-67890")]
    [TestCase("jwt", "eyJhbGciOiJIUzI1NiJ9 alone")]
    [TestCase("jwt", "eyJ.abc.def")]
    [TestCase("pem_private_key", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")]
    [TestCase("pem_private_key", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----")]
    [TestCase("aws_access_key", "AKIAIOSFODNN7EXAMPL")]
    [TestCase("aws_access_key", "XAKIAIOSFODNN7EXAMPLE")]
    [TestCase("aws_access_key", "AKIAiosfodnn7example")]
    [TestCase("aws_access_key", "AKIAIOSFODNN7EXAMPLE2")]
    [TestCase("aws_secret_key", "aws_secret_access_key = tooshort")]
    [TestCase("aws_secret_key", "the secret access key is in the vault; see the wiki for where it is kept now")]
    [TestCase("sas_token", "sig=short&sv=2022")]
    [TestCase("sas_token", "xsig=abcdefghijklmnopqrstuvwxyz0123")]
    [TestCase("connection_string", "PasswordPolicy=strict;Server=db")]
    [TestCase("connection_string", "https://example.com/a:b@c")]
    [TestCase("connection_string", "see https://docs.example.com/path?x=1")]
    [TestCase("github_token", "ghp_short and the_ghp_word")]
    [TestCase("github_token", "github_pat_tooshort")]
    [TestCase("slack_token", "xoxo-hugs and xoxb-short")]
    [TestCase("secret_assignment", "password_hint=blue")]
    [TestCase("secret_assignment", "passwordless: true, tokens: 3")]
    [TestCase("secret_assignment", "the password is required")]
    [TestCase("secret_assignment", "password=")]
    [TestCase("secret_assignment", "tokenizer=y secretary: Ann at 10:32:11 https://x.org")]
    public void Leaves_look_alikes_alone(string detector, string text)
    {
        Assert.That(MaskWith(detector, text), Is.Null);
    }

    [Test]
    public void Leaves_other_base64_lengths_alone()
    {
        Assert.That(MaskWith("azure_storage_key", $"digest {Sha256Base64}"), Is.Null);
        Assert.That(MaskWith("azure_storage_key", $"{AzureKey}A"), Is.Null);
    }

    [Test]
    public void Every_catalog_detector_has_cases_here()
    {
        var tested = typeof(DetectorTests).GetMethods()
            .SelectMany(m => m.GetCustomAttributes(typeof(TestCaseAttribute), false).Cast<TestCaseAttribute>())
            .Select(a => (string)a.Arguments[0]!)
            .Append("azure_storage_key")
            .ToHashSet();
        Assert.That(tested, Is.SupersetOf(DetectorCatalog.ByName.Keys));
    }

    [Test]
    public void Detector_names_are_unique_and_snake_case()
    {
        Assert.That(DetectorCatalog.All.Select(d => d.Name), Is.Unique);
        Assert.That(DetectorCatalog.All.Select(d => d.Name), Has.All.Matches("^[a-z0-9_]+$"));
    }

    [Test]
    public void Matches_inside_non_ascii_text_keep_the_text_around_them()
    {
        Assert.That(MaskWith("email", "Grüße an jörg@example.de, tschüß"), Is.EqualTo("Grüße an ****, tschüß"));
        Assert.That(MaskWith("secret_assignment", "mot_de_passe=é password=ünïcödé;"), Is.EqualTo("mot_de_passe=é password=****;"));
    }
}
