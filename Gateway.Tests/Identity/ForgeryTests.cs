using Gateway.Core.Identity;

namespace Gateway.Tests.Identity;

/// <summary>
/// Every way a token can be wrong, one test each: each is refused with its own <see cref="TokenRejection"/>
/// and a reason that names the problem without revealing what the gateway expected.
/// </summary>
public sealed class ForgeryTests : OidcIssuerTestBase
{
    private TokenValidator _validator = null!;
    private Dictionary<string, object> _claims = null!;

    [SetUp]
    public async Task PrimeValidator()
    {
        _validator = NewValidator();
        // A real token first, so the issuer's keys are known and refreshes can be counted.
        var genuine = await ValidateAsync(_validator, await GetAppTokenAsync(Agent));
        Assert.That(genuine.IsValid, Is.True, genuine.Reason);
        _claims = Issuer.AppTokenClaims(Agent);
    }

    [Test]
    public async Task Alg_none_is_refused()
    {
        var result = await ValidateAsync(_validator, ForgedTokens.Unsigned(_claims));

        AssertRefused(result, TokenRejection.UnsupportedAlgorithm, "alg: none");
    }

    [Test]
    public async Task Hs256_signed_with_the_public_key_is_refused()
    {
        var result = await ValidateAsync(_validator, ForgedTokens.HmacWithPublicKey(_claims, Issuer.CurrentKey));

        AssertRefused(result, TokenRejection.UnsupportedAlgorithm, "HS256");
    }

    [Test]
    public async Task Signature_by_another_key_under_the_real_kid_is_refused()
    {
        var forger = ForgedTokens.ForgerKey(Issuer.CurrentKey.KeyId);

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims, forger));

        AssertRefused(result, TokenRejection.BadSignature, "signature");
    }

    [Test]
    public async Task Tampered_payload_is_refused()
    {
        var genuine = await GetAppTokenAsync(Agent);
        var payload = ForgedTokens.PayloadOf(genuine);
        payload["roles"] = new[] { "Gateway.Admin" };

        var result = await ValidateAsync(_validator, ForgedTokens.WithPayload(genuine, payload));

        AssertRefused(result, TokenRejection.BadSignature, "signature");
    }

    [Test]
    public async Task Unknown_kid_is_refused_after_exactly_one_refresh()
    {
        var forger = ForgedTokens.ForgerKey("forged-key");
        var fetchesBefore = Issuer.JwksRequests;

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims, forger));

        AssertRefused(result, TokenRejection.UnknownSigningKey, "forged-key");
        Assert.That(Issuer.JwksRequests, Is.EqualTo(fetchesBefore + 1));
    }

    [Test]
    public async Task Untrusted_issuer_is_refused()
    {
        _claims["iss"] = "https://login.example.net/other-tenant/v2.0";

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims));

        AssertRefused(result, TokenRejection.UntrustedIssuer, "other-tenant");
    }

    [Test]
    public async Task Wrong_audience_is_refused()
    {
        _claims["aud"] = "api://some-other-api";

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims));

        AssertRefused(result, TokenRejection.WrongAudience, "some-other-api");
        Assert.That(result.Reason, Does.Not.Contain(Issuer.ApiAppId), "the expected audience is not revealed");
    }

    [Test]
    public async Task Expired_token_is_refused()
    {
        var token = await GetAppTokenAsync(Agent);
        Clock.Advance(Issuer.TokenLifetime + TimeSpan.FromSeconds(31));

        var result = await ValidateAsync(_validator, token);

        AssertRefused(result, TokenRejection.Expired, "expired");
    }

    [Test]
    public async Task Expiry_within_clock_skew_is_tolerated()
    {
        var token = await GetAppTokenAsync(Agent);
        Clock.Advance(Issuer.TokenLifetime + TimeSpan.FromSeconds(20));

        var result = await ValidateAsync(_validator, token);

        Assert.That(result.IsValid, Is.True, result.Reason);
    }

    [Test]
    public async Task Not_before_in_the_future_is_refused()
    {
        var now = Clock.Now.ToUnixTimeSeconds();
        _claims["nbf"] = now + 120;
        _claims["iat"] = now + 120;
        _claims["exp"] = now + 600;

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims));

        AssertRefused(result, TokenRejection.NotYetValid, "not valid before");
    }

    [Test]
    public async Task Missing_exp_is_refused()
    {
        _claims.Remove("exp");

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims));

        AssertRefused(result, TokenRejection.MissingExpiry, "exp");
    }

    [Test]
    public async Task Lifetime_over_the_maximum_is_refused()
    {
        _claims["exp"] = (long)_claims["iat"] + (long)TimeSpan.FromHours(8).TotalSeconds;

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims));

        AssertRefused(result, TokenRejection.LifetimeTooLong, "8h");
    }

    [Test]
    public async Task Lifetime_without_iat_or_nbf_counts_from_now()
    {
        _claims.Remove("iat");
        _claims.Remove("nbf");
        _claims["exp"] = Clock.Now.ToUnixTimeSeconds() + (long)TimeSpan.FromHours(2).TotalSeconds;

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims));

        AssertRefused(result, TokenRejection.LifetimeTooLong, "2h");
    }

    [Test]
    public async Task Missing_sub_is_refused()
    {
        _claims.Remove("sub");

        var result = await ValidateAsync(_validator, Issuer.Sign(_claims));

        AssertRefused(result, TokenRejection.MissingSubject, "sub");
    }

    [TestCase("not a token")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln")]
    [TestCase("a.b")]
    [TestCase("")]
    public async Task Malformed_text_is_refused(string text)
    {
        var result = await ValidateAsync(_validator, text);

        AssertRefused(result, TokenRejection.Malformed, "JWT");
    }

    [Test]
    public async Task Oversized_token_is_refused_before_parsing()
    {
        var result = await ValidateAsync(_validator, new string('a', TokenValidator.MaxTokenChars + 1));

        AssertRefused(result, TokenRejection.Malformed, "longer than");
    }

    private void AssertRefused(TokenValidationResult result, TokenRejection expected, string reasonMentions)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Principal, Is.Null);
            Assert.That(result.Rejection, Is.EqualTo(expected), result.Reason);
            Assert.That(result.Reason, Does.Contain(reasonMentions));
            Assert.That(result.Reason, Does.Not.Contain(Convert.ToBase64String(Issuer.CurrentKey.Rsa.ExportParameters(false).Modulus!)[..40]));
        });
    }
}
