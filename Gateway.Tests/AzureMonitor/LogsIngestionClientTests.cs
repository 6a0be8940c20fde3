using System.IO.Compression;
using System.Text;
using Azure.Core;
using Gateway.Host.Azure;

namespace Gateway.Tests.AzureMonitor;

/// <summary>One call against the fixture: the documented request, TLS trust through ca_file, token files.</summary>
[TestFixture]
public sealed class LogsIngestionClientTests
{
    private string _root = "";
    private LogsIngestionFixture _fixture = null!;
    private string _tokenFile = "";

    [SetUp]
    public async Task StartAsync()
    {
        _root = Directory.CreateTempSubdirectory("gateway-client-").FullName;
        _fixture = await LogsIngestionFixture.StartAsync(_root);
        _tokenFile = Path.Combine(_root, "token");
        await File.WriteAllTextAsync(_tokenFile, _fixture.Token);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _fixture.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task A_gzip_JSON_array_to_the_documented_path_is_accepted_with_204()
    {
        using var client = Client(_fixture.CaFile);
        Assert.That(client.Uri.AbsolutePath, Is.EqualTo($"/dataCollectionRules/{_fixture.RuleId}/streams/{_fixture.Stream}"));
        Assert.That(client.Uri.Query, Is.EqualTo("?api-version=2023-01-01"));

        var result = await client.UploadAsync(Gzip("[{\"Seq\":1,\"Node\":\"n\"},{\"Seq\":2,\"Node\":\"n\"}]"), CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(IngestionOutcome.Accepted));
        Assert.That(result.Status, Is.EqualTo(204));
        Assert.That(_fixture.Records, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_body_that_is_not_an_array_gets_400_with_the_service_error()
    {
        using var client = Client(_fixture.CaFile);
        var result = await client.UploadAsync(Gzip("{\"Seq\":1}"), CancellationToken.None);
        Assert.That((result.Outcome, result.Status), Is.EqualTo((IngestionOutcome.Rejected, 400)));
        Assert.That(result.Error, Does.StartWith("InvalidPayload:"));
    }

    [Test]
    public async Task Without_ca_file_the_private_root_is_not_trusted()
    {
        using var client = Client(caFile: null);
        var result = await client.UploadAsync(Gzip("[]"), CancellationToken.None);
        Assert.That((result.Outcome, result.FailureKind), Is.EqualTo((IngestionOutcome.Retry, "transport")));
        Assert.That(_fixture.Calls, Is.Empty);
    }

    [Test]
    public async Task A_ca_file_with_a_different_root_is_not_enough()
    {
        using var other = TestCertificates.Create();
        var otherRoot = other.WriteRootPem(Path.Combine(_root, "other-root.pem"));
        using var client = Client(otherRoot);
        var result = await client.UploadAsync(Gzip("[]"), CancellationToken.None);
        Assert.That((result.Outcome, result.FailureKind), Is.EqualTo((IngestionOutcome.Retry, "transport")));
    }

    [Test]
    public async Task A_throttled_call_reports_the_servers_retry_hint()
    {
        _fixture.Throttle(1, RetryAfterStyle.Seconds, TimeSpan.FromSeconds(7));
        using var client = Client(_fixture.CaFile);
        var result = await client.UploadAsync(Gzip("[]"), CancellationToken.None);
        Assert.That((result.Outcome, result.Status, result.RetryAfter), Is.EqualTo((IngestionOutcome.Retry, 429, (TimeSpan?)TimeSpan.FromSeconds(7))));
    }

    [Test]
    public async Task A_missing_token_file_is_a_credential_failure_before_anything_is_sent()
    {
        File.Delete(_tokenFile);
        using var client = Client(_fixture.CaFile);
        var result = await client.UploadAsync(Gzip("[]"), CancellationToken.None);
        Assert.That((result.Outcome, result.FailureKind), Is.EqualTo((IngestionOutcome.Retry, "credential")));
        Assert.That(_fixture.Calls, Is.Empty);
    }

    [Test]
    public async Task A_token_file_is_trimmed_and_a_JWT_expiry_is_honoured()
    {
        var exp = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds();
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"exp\":{exp}}}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var jwt = $"eyJhbGciOiJub25lIn0.{payload}.sig";
        await File.WriteAllTextAsync(_tokenFile, jwt + "\r\n");
        var credential = new TokenFileCredential(_tokenFile);

        var token = await credential.GetTokenAsync(new TokenRequestContext([LogsIngestionClient.Scope]), CancellationToken.None);

        Assert.That(token.Token, Is.EqualTo(jwt));
        Assert.That(token.ExpiresOn.ToUnixTimeSeconds(), Is.EqualTo(exp));
        Assert.That(token.RefreshOn, Is.LessThanOrEqualTo(DateTimeOffset.UtcNow + TokenFileCredential.RereadInterval));

        await File.WriteAllTextAsync(_tokenFile, "  \n");
        Assert.ThrowsAsync<Azure.Identity.CredentialUnavailableException>(async () =>
            await credential.GetTokenAsync(new TokenRequestContext([LogsIngestionClient.Scope]), CancellationToken.None));
    }

    private LogsIngestionClient Client(string? caFile)
    {
        var options = new LogsIngestionClientOptions();
        if (caFile is not null)
            options.Transport = PrivateRootTransport.Create(caFile);
        return new LogsIngestionClient(_fixture.Endpoint, _fixture.RuleId, _fixture.Stream, new TokenFileCredential(_tokenFile), options);
    }

    private static ReadOnlyMemory<byte> Gzip(string json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(json));
        return buffer.ToArray();
    }
}
