using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Gateway.Core.Config;
using Gateway.Core.Identity;

namespace Gateway.Tests.Identity;

/// <summary>
/// Each test class runs one Entra-like issuer on HTTPS (its certificate from a private CA the gateway trusts
/// through ca_file); each test gets fresh validators, the manual clock (shared by issuer and validator) reset
/// to now, and counts issuer requests relative to its start.
/// </summary>
public abstract class OidcIssuerTestBase
{
    private readonly List<IDisposable> _disposables = [];
    private readonly List<IDisposable> _fixtures = [];
    private HttpClient _agentHttp = null!;

    internal ManualClock Clock { get; private set; } = null!;
    internal EntraLikeIssuer Issuer { get; private set; } = null!;
    internal AppRegistration Agent { get; private set; } = null!;
    protected string TempDir { get; private set; } = "";
    protected string CaFile => Path.Combine(TempDir, "issuer-ca.pem");

    [OneTimeSetUp]
    public async Task StartIssuer()
    {
        TempDir = Directory.CreateTempSubdirectory("gateway-identity-").FullName;
        Clock = new ManualClock();
        var authority = new TestCertificateAuthority();
        _fixtures.Add(authority);
        await File.WriteAllTextAsync(CaFile, authority.RootPem);
        // Kestrel uses the certificate on each handshake: it lives until teardown.
        var certificate = authority.IssueServerCertificate();
        _fixtures.Add(certificate);
        Issuer = await EntraLikeIssuer.StartAsync(Clock, certificate);
        Agent = Issuer.RegisterApp("devin-agent", roles: ["Gateway.Query"], groups: ["ai-agents"]);
        _agentHttp = authority.CreateTrustingClient();
        _fixtures.Add(_agentHttp);
    }

    [SetUp]
    public void ResetClock() => Clock.Now = new ManualClock().Now;

    [TearDown]
    public void DisposeValidators()
    {
        foreach (var disposable in _disposables)
            disposable.Dispose();
        _disposables.Clear();
    }

    [OneTimeTearDown]
    public async Task StopIssuer()
    {
        await Issuer.DisposeAsync();
        foreach (var fixture in _fixtures)
            fixture.Dispose();
        _fixtures.Clear();
        Directory.Delete(TempDir, recursive: true);
    }

    internal IdentityConfig IdentityFor(EntraLikeIssuer issuer, Action<OidcIssuerConfig>? edit = null)
    {
        var oidc = new OidcIssuerConfig { Issuer = issuer.Issuer, Audience = issuer.ApiAppId, CaFile = CaFile };
        edit?.Invoke(oidc);
        return new IdentityConfig { Oidc = [oidc], MaxTokenLifetime = TimeSpan.FromHours(1), ClockSkew = TimeSpan.FromSeconds(30) };
    }

    internal TokenValidator NewValidator(IdentityConfig identity)
    {
        var validator = new TokenValidator(identity, Path.Combine(TempDir, "state"), time: Clock);
        _disposables.Add(validator);
        return validator;
    }

    internal TokenValidator NewValidator() => NewValidator(IdentityFor(Issuer));

    /// <summary>What an agent does: the client-credentials grant against the token endpoint, over HTTPS.</summary>
    internal async Task<string> GetAppTokenAsync(AppRegistration app)
    {
        using var response = await _agentHttp.PostAsync(Issuer.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = app.ClientId,
            ["client_secret"] = app.Secret,
            ["scope"] = $"{Issuer.ApiAppIdUri}/.default",
        }));
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>();
        Assert.That(body?.TokenType, Is.EqualTo("Bearer"));
        return body!.AccessToken;
    }

    internal static async Task<TokenValidationResult> ValidateAsync(TokenValidator validator, string token) =>
        await validator.ValidateAsync(token, CancellationToken.None);

    private sealed record TokenResponse(
        [property: JsonPropertyName("token_type")] string TokenType,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("access_token")] string AccessToken);
}
