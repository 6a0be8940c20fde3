using System.CommandLine;
using Gateway.Host.Cli;

namespace Gateway.Tests.Identity;

/// <summary><c>gateway token</c> and <c>gateway whoami</c>, run in-process through the real command line.</summary>
public sealed class TokenCliTests
{
    private string _dir = "";
    private string _config = "";

    [SetUp]
    public void WriteConfig()
    {
        _dir = Directory.CreateTempSubdirectory("gateway-token-cli-").FullName;
        _config = Path.Combine(_dir, "gateway.yaml");
        File.WriteAllText(_config, """
            state_dir: ./state
            identity:
              dev_issuer: true
              max_token_lifetime: 1h
            """);
    }

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await GatewayCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Test]
    public async Task Minted_token_is_printed_alone_and_accepted_by_whoami()
    {
        var (exit, output, error) = await RunAsync("token", "--config", _config, "--sub", "devin", "--group", "ai-agents", "--group", "readers", "--ttl", "10m");
        Assert.That(exit, Is.Zero, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        var token = lines[0].Trim();
        Assert.That(token.Split('.'), Has.Length.EqualTo(3));

        var whoami = await RunAsync("whoami", "--config", _config, "--token", token);

        Assert.That(whoami.Exit, Is.Zero, whoami.Err);
        Assert.That(whoami.Out, Does.Contain("subject:      devin"));
        Assert.That(whoami.Out, Does.Contain("kind:         agent"));
        Assert.That(whoami.Out, Does.Contain("groups:       ai-agents, readers"));
        Assert.That(whoami.Out, Does.Contain("issuer:       urn:gateway:dev-issuer"));
    }

    [Test]
    public async Task Whoami_refuses_a_forged_token()
    {
        var (_, output, _) = await RunAsync("token", "--config", _config, "--sub", "devin", "--group", "ai-agents");
        var token = output.Trim();
        var payload = ForgedTokens.PayloadOf(token);
        payload["groups"] = new[] { "dba" };

        var whoami = await RunAsync("whoami", "--config", _config, "--token", ForgedTokens.WithPayload(token, payload));

        Assert.That(whoami.Exit, Is.EqualTo(1));
        Assert.That(whoami.Out, Is.Empty);
        Assert.That(whoami.Err, Does.Contain("refused (bad_signature)"));
    }

    [Test]
    public async Task Human_kind_is_minted_on_request()
    {
        var (_, output, _) = await RunAsync("token", "--config", _config, "--sub", "ada", "--kind", "human");

        var whoami = await RunAsync("whoami", "--config", _config, "--token", output.Trim());

        Assert.That(whoami.Out, Does.Contain("kind:         human"));
    }

    [Test]
    public async Task Ttl_over_the_maximum_is_refused()
    {
        var (exit, output, error) = await RunAsync("token", "--config", _config, "--sub", "devin", "--group", "ai-agents", "--ttl", "2h");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.Contain("max_token_lifetime"));
    }

    [Test]
    public async Task Token_is_refused_when_the_dev_issuer_is_off()
    {
        File.WriteAllText(_config, """
            state_dir: ./state
            identity:
              dev_issuer: false
              oidc:
                - issuer: https://login.example.com/tenant/v2.0
                  audience: api://agent-gateway
            """);

        var (exit, output, error) = await RunAsync("token", "--config", _config, "--sub", "devin", "--group", "ai-agents");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.Contain("dev_issuer"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "state")), Is.False, "no key created");
    }
}
