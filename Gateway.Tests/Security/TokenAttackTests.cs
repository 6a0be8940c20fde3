using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Security;

/// <summary>
/// Identity end to end through an unmodified psql: every forged or unacceptable token is refused at startup with a
/// reason, and a token that expires during a session ends that session at <c>exp</c> with a FATAL that says so.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TokenAttackTests
{
    private PostgresServer _pg = null!;
    private SecurityGateway _gateway = null!;
    private TokenMint _mint = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("DROP TABLE IF EXISTS token_probe; CREATE TABLE token_probe (id int)");
        _gateway = await SecurityGateway.StartAsync(_pg);
        _mint = TokenMint.For(_gateway.Gateway.StateDirectory);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _mint.Dispose();
        await _gateway.DisposeAsync();
    }

    private static IEnumerable<TestCaseData> Forgeries()
    {
        yield return Forgery("alg none", m => TokenMint.Unsigned(m.Claims(TimeSpan.FromMinutes(5))), "unsigned tokens (alg: none) are refused", "UnsupportedAlgorithm");
        yield return Forgery("HS256 keyed with the public key", m => m.SignHs256WithPublicKey(m.Claims(TimeSpan.FromMinutes(5))), "symmetric algorithm 'HS256' is refused", "UnsupportedAlgorithm");
        yield return Forgery("signed by another key under the real kid", m => m.SignWithForeignKey(m.Claims(TimeSpan.FromMinutes(5))), "token signature does not verify", "BadSignature");
        yield return Forgery("wrong iss", m => m.Sign(With(m.Claims(TimeSpan.FromMinutes(5)), "iss", "https://evil.example/")), "issuer 'https://evil.example/' is not trusted", "UntrustedIssuer");
        yield return Forgery("wrong aud", m => m.Sign(With(m.Claims(TimeSpan.FromMinutes(5)), "aud", "api://something-else")), "token audience 'api://something-else' is not accepted", "WrongAudience");
        yield return Forgery("expired a minute ago", m => m.Sign(Shifted(m.Claims(TimeSpan.FromMinutes(5)), TimeSpan.FromMinutes(-6))), "token expired at", "Expired");
        yield return Forgery("nbf in the future", m => m.Sign(With(m.Claims(TimeSpan.FromMinutes(30)), "nbf", DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds())), "token is not valid before", "NotYetValid");
        yield return Forgery("no exp", m => m.Sign(Without(m.Claims(TimeSpan.FromMinutes(5)), "exp")), "token has no exp claim", "MissingExpiry");
        yield return Forgery("lifetime over max_token_lifetime", m => m.Sign(m.Claims(TimeSpan.FromHours(2))), "token lifetime 2h exceeds the maximum of 1h", "LifetimeTooLong");
        yield return Forgery("payload swapped under a genuine signature", m =>
        {
            var genuine = m.Sign(m.Claims(TimeSpan.FromMinutes(5)));
            var parts = genuine.Split('.');
            var other = TokenMint.Unsigned(m.Claims(TimeSpan.FromMinutes(5), subject: "root")).Split('.')[1];
            return $"{parts[0]}.{other}.{parts[2]}";
        }, "token signature does not verify", "BadSignature");
        yield return Forgery("not a JWT", _ => "definitely-not-a-token", "token is not a well-formed JWT", "Malformed");
    }

    private static TestCaseData Forgery(string name, Func<TokenMint, string> forge, string reason, string rejection) =>
        new TestCaseData(forge, reason, rejection).SetArgDisplayNames(name);

    [TestCaseSource(nameof(Forgeries))]
    public async Task A_forged_or_unacceptable_token_is_refused_by_psql_startup_with_its_reason(object forge, string reason, string rejection)
    {
        // object: the forging function takes an internal type, which a public test method cannot name.
        var application = "forgery-" + Guid.NewGuid().ToString("n")[..8];
        var result = await PsqlAsync(((Func<TokenMint, string>)forge)(_mint), "insert into token_probe values (1)", application);

        Assert.That(result.ExitCode, Is.Not.Zero, result.Output);
        Assert.That(result.Stderr, Does.Contain($"FATAL:  token authentication failed: {reason}"), result.Output);
        Assert.That(await _gateway.Log.WaitForAsync($"refused ({rejection})"), Is.Not.Null, "no gateway log line for the refusal");
        Assert.That(await _pg.ScalarAsync("select count(*) from token_probe"), Is.Zero);
        // The attempt is in the frame log, with what the client claimed and no identity.
        var records = await _gateway.Gateway.WaitForRecordsAsync(r => IsRefusalOf(r, application));
        var refusal = records.Single(r => IsRefusalOf(r, application));
        Assert.That(refusal.Subject, Is.Null);
        Assert.That(refusal.Payload!["code"]!.GetValue<string>(), Is.EqualTo("28P01"));
        Assert.That(refusal.Payload["kind"]!.GetValue<string>(), Is.EqualTo("token_refused"));
        Assert.That(refusal.Payload["message"]!.GetValue<string>(), Does.StartWith($"token authentication failed: {reason}"));
        Assert.That(refusal.Payload["claimed"]!["user"]!.GetValue<string>(), Is.EqualTo("agent-007"));
    }

    [Test]
    public async Task An_honest_token_from_the_same_mint_is_accepted()
    {
        var result = await PsqlAsync(_mint.Sign(_mint.Claims(TimeSpan.FromMinutes(5))), "select 'accepted'");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Stdout, Does.Contain("accepted"));
    }

    [Test]
    public async Task A_token_that_expires_during_a_session_ends_it_at_exp_with_a_FATAL_that_says_so()
    {
        var claims = _mint.Claims(TimeSpan.FromSeconds(3));
        var exp = DateTimeOffset.FromUnixTimeSeconds((long)claims["exp"]);
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port);
        await client.AuthenticateAsync(_mint.Sign(claims), applicationName: "expiring");
        await client.WriteAsync(HostileFrames.Query("select 'before exp'"));
        Assert.That((await client.ReadUntilReadyAsync()).Where(m => m.Type == 'E'), Is.Empty, "the session works until exp");

        var messages = await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(15));
        var endedAfterExp = DateTimeOffset.UtcNow - exp;

        var fatal = messages.Single(m => m.Type == 'E');
        Assert.That(fatal.Severity, Is.EqualTo("FATAL"));
        Assert.That(fatal.SqlState, Is.EqualTo("28000"));
        Assert.That(fatal.Text, Does.Contain("the token of agent-007 expired at"));
        Assert.That(endedAfterExp, Is.LessThan(TimeSpan.FromSeconds(1)), "the session must end within 1 s of exp");
        var records = await _gateway.SessionRecordsAsync("expiring");
        Assert.That(records.Single(r => r.Kind == FrameKinds.SessionEnd).Payload!["reason"]!.GetValue<string>(), Is.EqualTo("token expired"));
    }

    [Test]
    public async Task A_token_past_exp_but_inside_the_clock_skew_cannot_start_a_session_nor_smuggle_a_pipelined_query()
    {
        var claims = Shifted(_mint.Claims(TimeSpan.FromMinutes(1)), TimeSpan.FromSeconds(-65));
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port);
        await client.StartTlsAsync();
        await client.WriteAsync(HostileFrames.Startup(("user", "agent-007"), ("database", "postgres")));
        Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('R'));
        // The password and a query in one write: the query must not run on a token that has expired.
        await client.WriteAsync([.. WireBytes.Frame('p', new WireBytes().CString(_mint.Sign(claims))), .. HostileFrames.Query("insert into token_probe values (2)")]);

        var messages = await client.ReadUntilClosedAsync();

        Assert.That(messages.Select(m => m.Type), Does.Not.Contain('Z'), "no session started: " + string.Join(", ", messages));
        Assert.That(messages.Single(m => m.Type == 'E').Text, Does.Contain("expired"));
        Assert.That(await _pg.ScalarAsync("select count(*) from token_probe"), Is.Zero);
    }

    private static bool IsRefusalOf(FrameRecord record, string application) =>
        record.Kind == FrameKinds.ConnectionRefused && record.Payload?["claimed"]?["application_name"]?.GetValue<string>() == application;

    private Task<ProcessResult> PsqlAsync(string token, string sql, string application = "psql") =>
        ProcessRunner.RunAsync("psql", [$"host=127.0.0.1 port={_gateway.Port} dbname=postgres user=agent-007 sslmode=require application_name={application}", "-X", "-v", "ON_ERROR_STOP=1", "-c", sql],
            new Dictionary<string, string> { ["PGPASSWORD"] = token, ["PGCONNECT_TIMEOUT"] = "10" }, TimeSpan.FromSeconds(30));

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value)
    {
        claims[name] = value;
        return claims;
    }

    private static Dictionary<string, object> Without(Dictionary<string, object> claims, string name)
    {
        claims.Remove(name);
        return claims;
    }

    /// <summary>Moves iat, nbf and exp together: the same lifetime, earlier or later.</summary>
    private static Dictionary<string, object> Shifted(Dictionary<string, object> claims, TimeSpan by)
    {
        foreach (var name in new[] { "iat", "nbf", "exp" })
            claims[name] = (long)claims[name] + (long)by.TotalSeconds;
        return claims;
    }
}
