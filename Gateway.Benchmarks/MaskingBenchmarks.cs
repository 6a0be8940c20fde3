using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Benchmarks;

/// <summary>
/// Masking with the plan the shipped agents rules give a SELECT (column globs and every detector): 1,000 realistic
/// rows of ~100 bytes, each value through <see cref="ColumnMask.TryMask"/> as the DataRow path does. Clean rows
/// must not allocate; in the second set every tenth row carries an e-mail address and a card number to redact.
/// </summary>
[MemoryDiagnoser]
public class MaskingBenchmarks : IBytesPerOperation
{
    private const int Rows = 1000;
    private static readonly byte[][][] Clean = BuildRows(dirtyEvery: 0);
    private static readonly byte[][][] Dirty = BuildRows(dirtyEvery: 10);
    private ColumnMask _mask = null!;
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);

    public static long BytesPerOperation(string benchmark) =>
        (benchmark == nameof(DirtyRows) ? Dirty : Clean).Sum(r => r.Sum(v => (long)v.Length));

    [GlobalSetup]
    public void Setup()
    {
        var rules = RepoFiles.LoadAgentsRules();
        var command = new SqlAnalyzer().Analyze("SELECT id, customer, created_at, note, status FROM orders", CommandOrigin.Query);
        var plan = rules.Evaluate(RepoFiles.AgentSession(), command).Masking
            ?? throw new InvalidOperationException("agents.yaml no longer masks a SELECT");
        _mask = plan.ForColumns(WireFrames.Columns);
    }

    [Benchmark(Description = "1,000 clean rows")]
    public int CleanRows() => MaskAll(Clean);

    [Benchmark(Description = "1,000 rows, 10% with secrets")]
    public int DirtyRows() => MaskAll(Dirty);

    private int MaskAll(byte[][][] rows)
    {
        var masked = 0;
        foreach (var row in rows)
        {
            _scratch.ResetWrittenCount();
            for (var column = 0; column < row.Length; column++)
            {
                if (_mask.TryMask(column, row[column], _scratch))
                    masked++;
            }
        }
        return masked;
    }

    private static byte[][][] BuildRows(int dirtyEvery)
    {
        var rows = new byte[Rows][][];
        for (var i = 0; i < Rows; i++)
        {
            var values = WireFrames.Row(i);
            if (dirtyEvery > 0 && i % dirtyEvery == 0)
                values[3] = $"call back alice.{i}@example.com, card 4111 1111 1111 1111";
            rows[i] = Array.ConvertAll(values, Encoding.UTF8.GetBytes);
        }
        return rows;
    }
}
