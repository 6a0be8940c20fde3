using Gateway.Core.Config;
using Gateway.Core.Identity;

namespace Gateway.Tests.Identity;

/// <summary>Validation outcomes cached by token hash until the token expires, bounded in size.</summary>
public sealed class TokenCacheTests
{
    private string _root = "";
    private ManualClock _clock = null!;
    private readonly List<IDisposable> _disposables = [];

    [SetUp]
    public void CreateIssuer()
    {
        _root = Directory.CreateTempSubdirectory("gateway-token-cache-").FullName;
        _clock = new ManualClock();
        _disposables.Add(Issuer = new DevIssuer(Identity(10_000), _root, _clock));
    }

    [TearDown]
    public void Cleanup()
    {
        foreach (var disposable in _disposables)
            disposable.Dispose();
        _disposables.Clear();
        Directory.Delete(_root, recursive: true);
    }

    private static IdentityConfig Identity(int cacheSize) => new()
    {
        DevIssuer = true,
        CacheSize = cacheSize,
        MaxTokenLifetime = TimeSpan.FromHours(1),
        ClockSkew = TimeSpan.Zero,
    };

    private TokenValidator NewValidator(int cacheSize = 10_000)
    {
        var validator = new TokenValidator(Identity(cacheSize), _root, time: _clock);
        _disposables.Add(validator);
        return validator;
    }

    /// <summary>Disposed with the validators in teardown.</summary>
    private DevIssuer Issuer { get; set; } = null!;

    private string Mint(string subject, TimeSpan ttl) => Issuer.Issue(subject, ["ai-agents"], ttl);

    private static ValueTask<TokenValidationResult> Validate(TokenValidator validator, string token) =>
        validator.ValidateAsync(token, CancellationToken.None);

    [Test]
    public async Task Same_token_twice_is_answered_from_the_cache()
    {
        var validator = NewValidator();
        var token = Mint("devin", TimeSpan.FromMinutes(10));

        var first = await Validate(validator, token);
        var second = await Validate(validator, token);

        Assert.That(first.IsValid && second.IsValid, Is.True);
        Assert.That(second.Principal, Is.SameAs(first.Principal));
        Assert.That(validator.FullValidations, Is.EqualTo(1));
        Assert.That(validator.CacheHits, Is.EqualTo(1));
    }

    [Test]
    public async Task Cached_principal_expires_with_its_token()
    {
        var validator = NewValidator();
        var token = Mint("devin", TimeSpan.FromMinutes(10));
        Assert.That((await Validate(validator, token)).IsValid, Is.True);

        _clock.Advance(TimeSpan.FromMinutes(10));
        var later = await Validate(validator, token);

        Assert.That(later.Rejection, Is.EqualTo(TokenRejection.Expired), later.Reason);
        Assert.That(validator.CacheHits, Is.Zero);
    }

    [Test]
    public async Task Refusals_are_not_cached()
    {
        var validator = NewValidator();
        var token = Mint("devin", TimeSpan.FromMinutes(10));
        var payload = ForgedTokens.PayloadOf(token);
        payload["sub"] = "root";
        var tampered = ForgedTokens.WithPayload(token, payload);

        await Validate(validator, tampered);
        var again = await Validate(validator, tampered);

        Assert.That(again.Rejection, Is.EqualTo(TokenRejection.BadSignature));
        Assert.That(validator.FullValidations, Is.EqualTo(2));
        Assert.That(validator.CacheHits, Is.Zero);
    }

    [Test]
    public async Task Malformed_refusals_are_cached()
    {
        var validator = NewValidator();

        await Validate(validator, "garbage");
        var again = await Validate(validator, "garbage");

        Assert.That(again.Rejection, Is.EqualTo(TokenRejection.Malformed));
        Assert.That(validator.CacheHits, Is.EqualTo(1));
    }

    [Test]
    public async Task Cache_is_bounded_and_evicts_the_oldest()
    {
        var validator = NewValidator(cacheSize: 2);
        var tokens = new[] { "a", "b", "c" }.Select(subject => Mint(subject, TimeSpan.FromMinutes(10))).ToArray();

        foreach (var token in tokens)
            await Validate(validator, token);
        await Validate(validator, tokens[2]);
        await Validate(validator, tokens[0]);

        Assert.That(validator.CachedEntries, Is.EqualTo(2));
        Assert.That(validator.CacheHits, Is.EqualTo(1), "c was still cached, a had been evicted");
        Assert.That(validator.FullValidations, Is.EqualTo(4));
    }

    [Test]
    public async Task Expired_entries_are_evicted_before_older_live_ones()
    {
        var validator = NewValidator(cacheSize: 2);
        var longLived = Mint("long", TimeSpan.FromMinutes(30));
        var shortLived = Mint("short", TimeSpan.FromMinutes(1));
        await Validate(validator, longLived);
        await Validate(validator, shortLived);

        _clock.Advance(TimeSpan.FromMinutes(2));
        await Validate(validator, Mint("new", TimeSpan.FromMinutes(10)));
        var hitsBefore = validator.CacheHits;
        var again = await Validate(validator, longLived);

        Assert.That(again.IsValid, Is.True, again.Reason);
        Assert.That(validator.CacheHits, Is.EqualTo(hitsBefore + 1), "the oldest entry survived because an expired one went first");
        Assert.That(validator.CachedEntries, Is.EqualTo(2));
    }

    [Test]
    public async Task Cache_size_zero_disables_caching()
    {
        var validator = NewValidator(cacheSize: 0);
        var token = Mint("devin", TimeSpan.FromMinutes(10));

        await Validate(validator, token);
        await Validate(validator, token);

        Assert.That(validator.CacheHits, Is.Zero);
        Assert.That(validator.FullValidations, Is.EqualTo(2));
    }
}
