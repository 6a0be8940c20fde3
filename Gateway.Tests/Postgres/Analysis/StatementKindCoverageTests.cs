using System.Text.RegularExpressions;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>Every statement node of the installed libpg_query grammar has a kind (none falls through to other).</summary>
public sealed partial class StatementKindCoverageTests
{
    private const string ProtoPath = "/usr/include/pg_query/pg_query.proto";

    /// <summary>Nodes that never appear in a raw parse tree of SQL text (analyser or PL/pgSQL only).</summary>
    private static readonly string[] NotInRawTrees = ["RawStmt", "PLAssignStmt"];

    [GeneratedRegex("""json_name="([A-Za-z]+Stmt)"\]""")]
    private static partial Regex StatementNodeName();

    [Test]
    public void Every_statement_node_of_the_grammar_is_classified()
    {
        var proto = File.ReadAllText(ProtoPath);
        var nodeMessage = proto[proto.IndexOf("message Node", StringComparison.Ordinal)..];
        nodeMessage = nodeMessage[..nodeMessage.IndexOf("\n}", StringComparison.Ordinal)];
        var grammar = StatementNodeName().Matches(nodeMessage).Select(m => m.Groups[1].Value).Except(NotInRawTrees).ToList();

        Assert.That(grammar, Has.Count.GreaterThan(100));
        Assert.That(grammar.Except(StatementClassifier.KnownTypes), Is.Empty);
    }

    [Test]
    public void Every_produced_kind_is_in_the_vocabulary()
    {
        foreach (var type in StatementClassifier.KnownTypes)
        {
            var statement = new StatementBuilder(nested: false);
            if (StatementClassifier.TryClassifyByType(type, statement))
                Assert.That(StatementKinds.All, Does.Contain(statement.Kind), type);
        }
    }
}
