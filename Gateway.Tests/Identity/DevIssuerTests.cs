using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Config;
using Gateway.Core.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Identity;

public sealed class DevIssuerTests
{
    private string _stateDir = "";
    private ManualClock _clock = null!;
    private readonly List<IDisposable> _disposables = [];

    private static IdentityConfig Identity(bool devIssuer = true) => new()
    {
        DevIssuer = devIssuer,
        MaxTokenLifetime = TimeSpan.FromHours(1),
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    private string KeyPath => Path.Combine(_stateDir, "keys", "dev-issuer.pem");

    [SetUp]
    public void CreateStateDir()
    {
        _stateDir = Path.Combine(Directory.CreateTempSubdirectory("gateway-dev-issuer-").FullName, "state");
        _clock = new ManualClock();
    }

    [TearDown]
    public void RemoveStateDir()
    {
        foreach (var disposable in _disposables)
            disposable.Dispose();
        _disposables.Clear();
        Directory.Delete(Path.GetDirectoryName(_stateDir)!, recursive: true);
    }

    private DevIssuer NewIssuer(string? stateDir = null) => Track(new DevIssuer(Identity(), stateDir ?? _stateDir, _clock));

    private TokenValidator NewValidator(IdentityConfig? identity = null, string? stateDir = null) =>
        Track(new TokenValidator(identity ?? Identity(), stateDir ?? _stateDir, time: _clock));

    private T Track<T>(T disposable) where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    [Test]
    public async Task Minted_token_validates_to_the_principal_it_names()
    {
        var token = NewIssuer().Issue("devin", ["ai-agents", "readers"], TimeSpan.FromMinutes(10));

        var result = await NewValidator().ValidateAsync(token, CancellationToken.None);

        Assert.That(result.IsValid, Is.True, result.Reason);
        var principal = result.Principal!;
        Assert.Multiple(() =>
        {
            Assert.That(principal.Subject, Is.EqualTo("devin"));
            Assert.That(principal.Kind, Is.EqualTo(IdentityKind.Agent));
            Assert.That(principal.Groups, Is.EqualTo(new[] { "ai-agents", "readers" }));
            Assert.That(principal.Issuer, Is.EqualTo("urn:gateway:dev-issuer"));
            Assert.That(principal.ExpiresAt, Is.EqualTo(_clock.Now + TimeSpan.FromMinutes(10)));
            Assert.That(principal.TokenId, Is.Not.Null.And.Not.Empty);
        });
    }

    [Test]
    public void Minted_token_carries_the_documented_claims()
    {
        var issuer = NewIssuer();
        var token = new JsonWebToken(issuer.Issue("ada", ["dba"], TimeSpan.FromMinutes(5), IdentityKind.Human));

        Assert.Multiple(() =>
        {
            Assert.That(token.Alg, Is.EqualTo("ES256"));
            Assert.That(token.Kid, Is.EqualTo(issuer.KeyId));
            Assert.That(token.Issuer, Is.EqualTo("urn:gateway:dev-issuer"));
            Assert.That(token.Audiences, Is.EqualTo(new[] { "api://agent-gateway" }));
            Assert.That(token.Subject, Is.EqualTo("ada"));
            Assert.That(token.GetPayloadValue<string[]>("groups"), Is.EqualTo(new[] { "dba" }));
            Assert.That(token.GetPayloadValue<string>("kind"), Is.EqualTo("human"));
            Assert.That(token.IssuedAt, Is.EqualTo(_clock.Now.UtcDateTime));
            Assert.That(token.ValidFrom, Is.EqualTo(_clock.Now.UtcDateTime));
            Assert.That(token.ValidTo, Is.EqualTo(_clock.Now.UtcDateTime.AddMinutes(5)));
            Assert.That(token.Id, Is.Not.Empty);
        });
    }

    [Test]
    public async Task Human_kind_is_kept()
    {
        var token = NewIssuer().Issue("ada", ["dba"], TimeSpan.FromMinutes(5), IdentityKind.Human);

        var result = await NewValidator().ValidateAsync(token, CancellationToken.None);

        Assert.That(result.Principal?.Kind, Is.EqualTo(IdentityKind.Human));
    }

    [Test]
    public async Task Tampered_payload_is_refused()
    {
        var token = NewIssuer().Issue("devin", ["ai-agents"], TimeSpan.FromMinutes(10));
        var payload = ForgedTokens.PayloadOf(token);
        payload["groups"] = new[] { "ai-agents", "dba" };

        var result = await NewValidator().ValidateAsync(ForgedTokens.WithPayload(token, payload), CancellationToken.None);

        Assert.That(result.Rejection, Is.EqualTo(TokenRejection.BadSignature), result.Reason);
    }

    [Test]
    public async Task Token_from_another_dev_key_is_refused()
    {
        var otherState = Path.Combine(Path.GetDirectoryName(_stateDir)!, "other-state");
        var foreign = NewIssuer(otherState).Issue("devin", ["ai-agents"], TimeSpan.FromMinutes(10));

        var result = await NewValidator().ValidateAsync(foreign, CancellationToken.None);

        Assert.That(result.Rejection, Is.EqualTo(TokenRejection.UnknownSigningKey), result.Reason);
    }

    [Test]
    public async Task Dev_token_is_refused_when_the_dev_issuer_is_off()
    {
        var token = NewIssuer().Issue("devin", ["ai-agents"], TimeSpan.FromMinutes(10));
        var oidcOnly = Identity(devIssuer: false);
        oidcOnly.Oidc = [new OidcIssuerConfig { Issuer = "https://login.example.com/tenant/v2.0", Audience = "api://x" }];

        var result = await NewValidator(oidcOnly).ValidateAsync(token, CancellationToken.None);

        Assert.That(result.Rejection, Is.EqualTo(TokenRejection.UntrustedIssuer), result.Reason);
    }

    [Test]
    public void Ttl_over_the_maximum_lifetime_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => NewIssuer().Issue("devin", [], TimeSpan.FromHours(2)));
        Assert.That(error!.Message, Does.Contain("max_token_lifetime"));
    }

    [Test]
    public void Dev_issuer_refuses_to_run_when_off()
    {
        Assert.Throws<InvalidOperationException>(() => Track(new DevIssuer(Identity(devIssuer: false), _stateDir)));
        Assert.That(File.Exists(KeyPath), Is.False);
    }

    [Test]
    [UnsupportedOSPlatform("windows")]
    public void Key_file_is_private_pkcs8_pem()
    {
        NewIssuer();

        Assert.That(File.ReadAllText(KeyPath), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        Assert.That(File.GetUnixFileMode(KeyPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(KeyPath)!),
            Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(KeyPath)!, "*.tmp"), Is.Empty, "no temp file left behind");
    }

    [Test]
    public async Task Second_run_reuses_the_key()
    {
        var first = NewIssuer();
        var token = first.Issue("devin", ["ai-agents"], TimeSpan.FromMinutes(10));
        var keyText = File.ReadAllText(KeyPath);

        var second = NewIssuer();
        var result = await NewValidator().ValidateAsync(token, CancellationToken.None);

        Assert.That(second.KeyId, Is.EqualTo(first.KeyId));
        Assert.That(File.ReadAllText(KeyPath), Is.EqualTo(keyText));
        Assert.That(result.IsValid, Is.True, result.Reason);
    }

    [Test]
    public async Task Concurrent_first_use_agrees_on_one_key()
    {
        var starts = Enumerable.Range(0, 8).Select(_ => Task.Run(() => NewIssuerUntracked()));
        var issuers = await Task.WhenAll(starts);
        try
        {
            Assert.That(issuers.Select(issuer => issuer.KeyId).Distinct().Count(), Is.EqualTo(1));
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(KeyPath)!, "*.tmp"), Is.Empty);
        }
        finally
        {
            foreach (var issuer in issuers)
                issuer.Dispose();
        }
    }

    private DevIssuer NewIssuerUntracked() => new(Identity(), _stateDir, _clock);

    [Test]
    public void Key_id_is_the_rfc7638_thumbprint()
    {
        var issuer = NewIssuer();
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(KeyPath));
        var point = key.ExportParameters(false).Q;

        // RFC 7638 section 3: required members in lexicographic order, no whitespace, then SHA-256.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(point.X)}\",\"y\":\"{Base64UrlEncoder.Encode(point.Y)}\"}}";
        var expected = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        Assert.That(issuer.KeyId, Is.EqualTo(expected));
    }

    [Test]
    [UnsupportedOSPlatform("windows")]
    public void Key_readable_by_others_is_refused()
    {
        NewIssuer();
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<InvalidOperationException>(() => NewIssuer());
        Assert.That(error!.Message, Does.Contain("chmod 600"));
    }
}
