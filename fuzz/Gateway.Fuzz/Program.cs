using Gateway.Fuzz;
using Gateway.Fuzz.Targets;
using SharpFuzz;

// Gateway.Fuzz TARGET                 run TARGET under afl-fuzz (SharpFuzz's AFL forkserver protocol)
// Gateway.Fuzz replay TARGET FILE...  run TARGET once per file without a fuzzer (triage a finding)
// Gateway.Fuzz seed DIR               write the hand-written seed corpus into DIR/<target>/
// Targets: frontend, backend, startup, upstream-startup. See fuzz/run-fuzz.sh and docs/security-testing.md.
if (args.Length >= 2 && args[0] == "seed")
{
    SeedCorpus.Write(args[1]);
    return 0;
}
if (args.Length >= 3 && args[0] == "replay")
{
    var replayed = Find(args[1]);
    foreach (var file in args[2..])
    {
        Console.WriteLine(file);
        replayed.Run(File.ReadAllBytes(file));
    }
    return 0;
}
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Gateway.Fuzz TARGET | replay TARGET FILE... | seed DIR");
    return 2;
}

var target = Find(args[0]);
Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;

static FuzzTarget Find(string name) =>
    FuzzTarget.All.FirstOrDefault(t => t.Name == name)
    ?? throw new ArgumentException($"unknown target {name}; known: {string.Join(", ", FuzzTarget.All.Select(t => t.Name))}");
