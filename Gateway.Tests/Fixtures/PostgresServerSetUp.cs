using Gateway.Tests.Fixtures;

namespace Gateway.Tests;

/// <summary>Stops the shared <see cref="PostgresServer"/> once every test in the assembly has run.</summary>
[SetUpFixture]
public sealed class PostgresServerSetUp
{
    [OneTimeTearDown]
    public Task StopSharedPostgresAsync() => PostgresServer.StopSharedAsync();
}
