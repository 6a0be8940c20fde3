using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>schemas/rules.schema.json accepts the shipped examples, rejects what the loader rejects, and names the same vocabulary.</summary>
public sealed class RuleSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryRoot, "schemas", "rules.schema.json")));

    private static EvaluationResults Validate(string yaml) =>
        Schema.Evaluate(YamlToJson(yaml), new EvaluationOptions { OutputFormat = OutputFormat.List });

    [TestCase("agents.yaml")]
    [TestCase("sre.yaml")]
    public void Shipped_examples_are_valid(string file)
    {
        var results = Validate(File.ReadAllText(Path.Combine(RepositoryRoot, "examples", "rules", file)));
        Assert.That(results.IsValid, Is.True, string.Join("\n", Describe(results)));
    }

    [TestCase("version: 1\nrules:\n  - id: a\n    action: masq\n")]
    [TestCase("version: 1\nrules:\n  - id: a\n    action: deny\n    mesage: typo\n")]
    [TestCase("version: 1\nrules:\n  - id: a\n    match: { statements: [dropp] }\n    action: deny\n")]
    [TestCase("version: 1\nrules:\n  - id: a\n    action: mask\n")]
    [TestCase("version: 1\nrules:\n  - id: a\n    action: mask\n    detectors: [credit_card]\n")]
    [TestCase("version: 1\nrules:\n  - id: a\n    action: limit\n")]
    [TestCase("version: 1\nrules:\n  - id: a\n    action: deny\n    columns: [ssn]\n")]
    [TestCase("version: 1\nrules:\n  - id: a\n    match: { groups: [] }\n    action: deny\n")]
    [TestCase("version: 2\nrules: []\n")]
    public void Invalid_files_are_invalid(string yaml)
    {
        Assert.That(Validate(yaml).IsValid, Is.False);
    }

    [Test]
    public void A_rule_using_every_key_is_valid()
    {
        const string yaml = """
            version: 1
            default: deny
            rules:
              - id: everything
                description: uses every match key
                match:
                  subjects: alice
                  groups: [sre]
                  kind: human
                  listeners: [pg]
                  protocol: postgres
                  databases: ["prod*"]
                  statements: [update, delete]
                  tables: [orders]
                  functions: [lower]
                  settings: [search_path]
                  where: present
                  modifies_data: true
                  columns: [email]
                action: mask
                message: masked
                detectors: all
                strategy: hash
              - id: limited
                match: { parse_error: false }
                action: limit
                max_rows: 10
                max_bytes: 1024
                statement_timeout: 5s
            """;
        var results = Validate(yaml);
        Assert.That(results.IsValid, Is.True, string.Join("\n", Describe(results)));
        Assert.That(Rules(yaml).Rules, Has.Length.EqualTo(2), "the loader agrees");
    }

    [Test]
    public void The_statement_enum_is_StatementKinds_All()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "schemas", "rules.schema.json")))!;
        var kinds = schema["$defs"]!["statementKind"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.That(kinds, Is.EquivalentTo(StatementKinds.All));
    }

    [Test]
    public void The_detector_enum_is_the_detector_catalog()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "schemas", "rules.schema.json")))!;
        var detectors = schema["$defs"]!["detector"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.That(detectors, Is.EquivalentTo(DetectorCatalog.ByName.Keys.Append(DetectorCatalog.AllKeyword)));
    }

    private static IEnumerable<string> Describe(EvaluationResults results) =>
        (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"));

    /// <summary>YAML 1.2 core schema to JSON: plain scalars become null, booleans and numbers; quoted ones stay strings.</summary>
    internal static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, Convert(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new NotSupportedException(node.NodeType.ToString()),
    };

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
            return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (text is "true" or "True" or "TRUE")
            return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE")
            return JsonValue.Create(false);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
