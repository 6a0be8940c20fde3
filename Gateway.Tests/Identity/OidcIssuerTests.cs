using Gateway.Core.Identity;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gateway.Tests.Identity;

/// <summary>Tokens from an external OIDC issuer, obtained the way an agent obtains them.</summary>
public sealed class OidcIssuerTests : OidcIssuerTestBase
{
    [Test]
    public async Task Client_credentials_token_is_accepted_and_mapped_to_an_agent()
    {
        var token = await GetAppTokenAsync(Agent);
        var validator = NewValidator();

        var result = await ValidateAsync(validator, token);

        Assert.That(result.IsValid, Is.True, result.Reason);
        var principal = result.Principal!;
        var claims = new JsonWebToken(token);
        Assert.Multiple(() =>
        {
            Assert.That(principal.Subject, Is.EqualTo(Agent.ServicePrincipalId));
            Assert.That(principal.Kind, Is.EqualTo(IdentityKind.Agent));
            Assert.That(principal.Groups, Is.EquivalentTo(new[] { "ai-agents", "Gateway.Query" }));
            Assert.That(principal.Issuer, Is.EqualTo(Issuer.Issuer));
            Assert.That(principal.ExpiresAt, Is.EqualTo(Clock.Now + Issuer.TokenLifetime));
            Assert.That(principal.TokenId, Is.EqualTo(claims.GetPayloadValue<string>("uti")));
        });
    }

    [Test]
    public async Task User_token_without_app_idtyp_is_a_human_with_display_name()
    {
        var validator = NewValidator();
        var claims = Issuer.AppTokenClaims(Agent);
        claims.Remove("idtyp");
        claims["name"] = "Ada Lovelace";
        claims["preferred_username"] = "ada@example.com";
        claims["scp"] = "Query";

        var result = await ValidateAsync(validator, Issuer.Sign(claims));

        Assert.That(result.IsValid, Is.True, result.Reason);
        Assert.That(result.Principal!.Kind, Is.EqualTo(IdentityKind.Human));
        Assert.That(result.Principal.DisplayName, Is.EqualTo("Ada Lovelace"));
    }

    [Test]
    public async Task Configured_groups_claim_and_agent_values_are_honoured()
    {
        var validator = NewValidator(IdentityFor(Issuer, oidc =>
        {
            oidc.GroupsClaim = "teams";
            oidc.KindClaim = "client_kind";
            oidc.AgentValues = ["bot"];
        }));
        var claims = Issuer.AppTokenClaims(Agent);
        claims["teams"] = "platform";
        claims["client_kind"] = "bot";
        claims["app_displayname"] = "devin-agent";

        var result = await ValidateAsync(validator, Issuer.Sign(claims));

        Assert.That(result.IsValid, Is.True, result.Reason);
        Assert.That(result.Principal!.Groups, Is.EquivalentTo(new[] { "platform", "Gateway.Query" }));
        Assert.That(result.Principal.Kind, Is.EqualTo(IdentityKind.Agent));
        Assert.That(result.Principal.DisplayName, Is.EqualTo("devin-agent"));
    }

    [Test]
    public async Task Token_signed_with_a_rotated_key_is_accepted_after_one_refresh()
    {
        var validator = NewValidator();
        var fetches = Issuer.JwksRequests;
        var before = await ValidateAsync(validator, await GetAppTokenAsync(Agent));
        Assert.That(before.IsValid, Is.True, before.Reason);
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetches + 1));

        Issuer.RotateKey();
        var rotated = await GetAppTokenAsync(Agent);
        Assert.That(new JsonWebToken(rotated).Kid, Is.EqualTo(Issuer.CurrentKey.KeyId));
        var after = await ValidateAsync(validator, rotated);

        Assert.That(after.IsValid, Is.True, after.Reason);
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetches + 2), "exactly one JWKS refresh for the new kid");
    }

    [Test]
    public async Task Concurrent_tokens_with_a_new_kid_share_one_refresh()
    {
        var validator = NewValidator();
        var fetches = Issuer.JwksRequests;
        Assert.That((await ValidateAsync(validator, await GetAppTokenAsync(Agent))).IsValid, Is.True);

        Issuer.RotateKey();
        var rotated = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => GetAppTokenAsync(Agent)));
        var results = await Task.WhenAll(rotated.Select(token => Task.Run(() => ValidateAsync(validator, token))));

        Assert.That(results.Select(result => result.Reason), Is.All.Empty);
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetches + 2), "the first fetch and one shared refresh");
    }

    [Test]
    public async Task Forced_refreshes_are_rate_limited()
    {
        var validator = NewValidator();
        var fetches = Issuer.JwksRequests;
        Assert.That((await ValidateAsync(validator, await GetAppTokenAsync(Agent))).IsValid, Is.True);
        var stranger = ForgedTokens.ForgerKey("made-up-1");
        Assert.That((await ValidateAsync(validator, Issuer.Sign(Issuer.AppTokenClaims(Agent), stranger))).Rejection,
            Is.EqualTo(TokenRejection.UnknownSigningKey));
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetches + 2));

        // A rotation right after: the new kid must wait for the refresh interval, and no fetch happens meanwhile.
        Issuer.RotateKey();
        var rotated = await GetAppTokenAsync(Agent);
        var early = await ValidateAsync(validator, rotated);
        Assert.That(early.Rejection, Is.EqualTo(TokenRejection.UnknownSigningKey));
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetches + 2));

        Clock.Advance(TimeSpan.FromSeconds(31));
        var later = await ValidateAsync(validator, rotated);
        Assert.That(later.IsValid, Is.True, later.Reason);
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetches + 3));
    }

    [Test]
    public async Task Issuer_certificate_is_not_trusted_without_ca_file()
    {
        var validator = NewValidator(IdentityFor(Issuer, oidc => oidc.CaFile = null));
        var fetches = Issuer.JwksRequests;

        var result = await ValidateAsync(validator, await GetAppTokenAsync(Agent));

        Assert.That(result.Rejection, Is.EqualTo(TokenRejection.IssuerUnavailable));
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetches));
    }

    [Test]
    public async Task Plain_http_issuer_is_refused_unless_require_https_is_off()
    {
        await using var plain = await EntraLikeIssuer.StartAsync(Clock, serverCertificate: null);
        var app = plain.RegisterApp("plain-agent", [], ["ai-agents"]);
        var token = plain.Sign(plain.AppTokenClaims(app));

        var strict = await ValidateAsync(NewValidator(IdentityFor(plain, oidc => oidc.CaFile = null)), token);
        var relaxed = await ValidateAsync(NewValidator(IdentityFor(plain, oidc =>
        {
            oidc.CaFile = null;
            oidc.RequireHttps = false;
        })), token);

        Assert.That(strict.Rejection, Is.EqualTo(TokenRejection.IssuerUnavailable));
        Assert.That(relaxed.IsValid, Is.True, relaxed.Reason);
    }

    [Test]
    public void Require_https_off_is_refused_for_a_remote_issuer()
    {
        var identity = IdentityFor(Issuer, oidc =>
        {
            oidc.Issuer = "http://issuer.example.com/tenant/v2.0";
            oidc.RequireHttps = false;
        });

        var error = Assert.Throws<InvalidOperationException>(() => NewValidator(identity));
        Assert.That(error!.Message, Does.Contain("loopback"));
    }
}
