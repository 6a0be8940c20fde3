using System.Text.Json.Nodes;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.AzureMonitor;

/// <summary>The Azure table (deploy/azure/columns.json, used by main.bicep) has exactly the frame-log columns, typed.</summary>
[TestFixture]
public sealed class DeployTemplateTests
{
    [Test]
    public void The_table_declares_every_FrameRecord_column_with_its_type()
    {
        var columns = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "azure", "columns.json")))!.AsArray()
            .ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["type"]!.GetValue<string>());

        var expected = typeof(FrameRecord).GetProperties().ToDictionary(p => p.Name, p => AzureType(p.PropertyType));

        Assert.That(columns, Is.EquivalentTo(expected));
    }

    [Test]
    public void The_template_uses_the_documented_stream_table_and_role()
    {
        var bicep = File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "azure", "main.bicep"));
        Assert.That(bicep, Does.Contain("'GatewayFrames_CL'"));
        Assert.That(bicep, Does.Contain("'Custom-GatewayFrames'"));
        Assert.That(bicep, Does.Contain("kind: 'Direct'"));
        Assert.That(bicep, Does.Contain("transformKql: 'source'"));
        Assert.That(bicep, Does.Contain("3913510d-42f4-4e42-8a64-420c390055eb"), "Monitoring Metrics Publisher");
    }

    private static string AzureType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "string"
            : type == typeof(long) ? "long"
            : type == typeof(double) ? "real"
            : type == typeof(bool) ? "boolean"
            : type == typeof(DateTimeOffset) ? "dateTime"
            : "dynamic"; // arrays and JSON objects
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "gateway.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException("gateway.sln not found above the test directory");
    }
}
