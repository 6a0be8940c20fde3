using Gateway.Core.Config;
using Gateway.Host.Sinks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.AzureMonitor;

/// <summary>From gateway.yaml to records in the fixture, the way the host builds sinks.</summary>
[TestFixture]
public sealed class SinkConfigWiringTests : SinkTestBase
{
    [Test]
    public async Task A_configured_azure_monitor_sink_ships_the_state_dirs_log_to_its_cursor_file()
    {
        var yaml = $"""
            node: node-a
            state_dir: ./state
            identity:
              dev_issuer: true
            audit:
              max_spool: 1048576
              sinks:
                - type: azure_monitor
                  endpoint: {Fixture.Endpoint}
                  rule_id: {Fixture.RuleId}
                  stream: {Fixture.Stream}
                  ca_file: fixture-root.pem
                  flush_interval: 100ms
                  credential:
                    type: token_file
                    path: token
            """;
        var config = ConfigLoader.Parse(Path.Combine(Root, "gateway.yaml"), yaml);
        Segments.AppendMany(25);

        await using var sinks = SinkSet.Create(config, NullLoggerFactory.Instance);
        await sinks.StartAsync(CancellationToken.None);
        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(20));
        await WaitUntilAsync(() => sinks.ShippedThroughSeq == Segments.LastSeq, TimeSpan.FromSeconds(5), "the cursor to advance");
        await sinks.StopAsync(CancellationToken.None);

        var name = AzureMonitorSinkOptions.DefaultName(config.Audit.Sinks[0]);
        Assert.That(sinks.Sinks.Single().Name, Is.EqualTo(name));
        var cursor = await new SpoolCursorStore(Path.Combine(Root, "state", "cursors", name + ".json")).LoadAsync(CancellationToken.None);
        Assert.That(cursor.Seq, Is.EqualTo(Segments.LastSeq));
        Assert.That(sinks.Sinks.Single().Health.State, Is.EqualTo(SinkState.Stopped));
    }

    [Test]
    public void A_client_secret_credential_without_its_environment_variable_does_not_build()
    {
        var config = new GatewayConfig();
        config.Audit.Sinks.Add(new SinkConfig
        {
            Type = "azure_monitor", Endpoint = "https://dce.example", RuleId = "dcr-1", Stream = "Custom-GatewayFrames",
            Credential = new CredentialConfig { Type = "client_secret", TenantId = "t", ClientId = "c", SecretEnv = "GATEWAY_TEST_UNSET_" + Guid.NewGuid().ToString("N") },
        });
        Assert.Throws<InvalidOperationException>(() => SinkSet.Create(config, NullLoggerFactory.Instance));
    }
}
