namespace Gateway.Tests.Postgres.Analysis;

/// <summary>One corpus entry: a SQL text and the fact the analysis must report for it.</summary>
public sealed record SqlCorpusEntry(string Name, string Expect, string Sql)
{
    public override string ToString() => Name;
}

/// <summary>
/// Reads Gateway.Tests/Postgres/Corpus/{bypass,benign}.sql: entries separated by a line <c>-- ----</c>, each
/// starting with <c>-- expect: ...</c> and <c>-- name: ...</c> lines; the rest of the entry is the SQL text.
/// The preamble before the first separator is a description, not an entry. Used by the analysis tests and by
/// the end-to-end gateway tests.
/// </summary>
public static class SqlCorpus
{
    private const string Separator = "-- ----";
    private const string ExpectPrefix = "-- expect:";
    private const string NamePrefix = "-- name:";

    public static IReadOnlyList<SqlCorpusEntry> Bypass => Load("bypass.sql");

    public static IReadOnlyList<SqlCorpusEntry> Benign => Load("benign.sql");

    public static IReadOnlyList<SqlCorpusEntry> Load(string fileName)
    {
        var text = File.ReadAllText(Locate(fileName)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = text.Split($"\n{Separator}\n");
        var entries = new List<SqlCorpusEntry>();
        foreach (var block in blocks.Skip(1))
        {
            var lines = block.Split('\n');
            if (lines.Length < 3 || !lines[0].StartsWith(ExpectPrefix, StringComparison.Ordinal)
                || !lines[1].StartsWith(NamePrefix, StringComparison.Ordinal))
                throw new InvalidDataException($"{fileName}: an entry must start with '{ExpectPrefix}' and '{NamePrefix}' lines:\n{block}");

            var expect = lines[0][ExpectPrefix.Length..].Trim();
            var name = lines[1][NamePrefix.Length..].Trim();
            var sql = string.Join('\n', lines.Skip(2)).Trim('\n');
            if (sql.Length == 0)
                throw new InvalidDataException($"{fileName}: entry {name} has no SQL");
            entries.Add(new SqlCorpusEntry(name, expect, sql));
        }
        return entries;
    }

    /// <summary>The corpus lives in the source tree; walk up from the test binaries to find it.</summary>
    private static string Locate(string fileName)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "Gateway.Tests", "Postgres", "Corpus", fileName);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"corpus file {fileName} not found above {AppContext.BaseDirectory}");
    }
}
