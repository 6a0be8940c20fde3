using Gateway.Fuzz.Targets;

namespace Gateway.Tests.Security;

/// <summary>
/// The CI part of fuzzing: every committed corpus entry of every target (fuzz/corpus/TARGET, seeds plus what
/// AFL++ runs found) goes through the same harness code in process, without instrumentation, followed by a fixed
/// number of deterministic mutations of them. Any exception other than a designed refusal fails the test.
/// The instrumented runs are fuzz/run-fuzz.sh (docs/security-testing.md).
/// </summary>
public sealed class FuzzCorpusReplayTests
{
    /// <summary>Mutations per target, spread over its corpus: a fixed budget, whatever the corpus grows to.</summary>
    private const int MutationsPerTarget = 20_000;

    private static IEnumerable<TestCaseData> Targets() =>
        FuzzTarget.All.Select(t => new TestCaseData(t.Name).SetArgDisplayNames(t.Name));

    [TestCaseSource(nameof(Targets))]
    public void Every_corpus_entry_decodes_or_is_refused(string name)
    {
        var target = FuzzTarget.All.Single(t => t.Name == name);
        var entries = CorpusOf(name);

        Assert.That(entries, Is.Not.Empty, $"fuzz/corpus/{name} is empty");
        foreach (var (file, bytes) in entries)
            Assert.DoesNotThrow(() => target.Run(bytes), $"fuzz/corpus/{name}/{file}");
    }

    [TestCaseSource(nameof(Targets))]
    public void Deterministic_mutations_of_the_corpus_decode_or_are_refused(string name)
    {
        var target = FuzzTarget.All.Single(t => t.Name == name);
        var random = new Random(20240613);
        var entries = CorpusOf(name);
        var executions = 0;

        for (var i = 0; i < MutationsPerTarget; i++)
        {
            var (file, bytes) = entries[random.Next(entries.Count)];
            var mutant = Mutate(bytes, entries[random.Next(entries.Count)].Bytes, random);
            Assert.DoesNotThrow(() => target.Run(mutant), $"mutation {i} of fuzz/corpus/{name}/{file}: {Convert.ToHexString(mutant)}");
            executions++;
        }
        Assert.That(executions, Is.EqualTo(MutationsPerTarget));
    }

    private static List<(string File, byte[] Bytes)> CorpusOf(string target)
    {
        var directory = Path.Combine(RepoPaths.Root, "fuzz", "corpus", target);
        return Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
    }

    /// <summary>A few AFL-style havoc steps: flips, interesting values (lengths!), inserts, deletes, splices.</summary>
    private static byte[] Mutate(byte[] input, byte[] other, Random random)
    {
        var bytes = new List<byte>(input);
        var steps = 1 + random.Next(4);
        for (var step = 0; step < steps; step++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count >= 4:
                    var value = InterestingInt32s[random.Next(InterestingInt32s.Length)];
                    at = Math.Min(at, bytes.Count - 4);
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes).Slice(at, 4), value);
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4 when bytes.Count > 1:
                    bytes.RemoveRange(at, Math.Min(1 + random.Next(8), bytes.Count - at));
                    break;
                default:
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(1 + random.Next(32)));
                    break;
            }
        }
        return [.. bytes];
    }

    private static readonly int[] InterestingInt32s = [0, 1, 3, 4, 5, 8, 16, -1, -2, 0x7FFF, 0x8000, 0xFFFF, int.MaxValue, int.MinValue, 10000, 10001, 1024 * 1024 + 1];
}
