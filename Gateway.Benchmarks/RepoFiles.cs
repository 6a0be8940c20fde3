using Gateway.Core.Masking;
using Gateway.Core.Policy;

namespace Gateway.Benchmarks;

/// <summary>Files of this repository the benchmarks use as they ship (the agents rules).</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string AgentsRules => Path.Combine(Root, "examples", "rules", "agents.yaml");

    /// <summary>examples/rules/agents.yaml compiled as a listener would, with a fixed masking key.</summary>
    public static RuleSet LoadAgentsRules() =>
        RuleSet.Load([AgentsRules], MaskingKey.FromBytes(Enumerable.Range(1, MaskingKey.Length).Select(i => (byte)i).ToArray()));

    public static SessionFacts AgentSession() => new(new Gateway.Core.Identity.Principal
    {
        Subject = "bench-agent",
        Kind = Gateway.Core.Identity.IdentityKind.Agent,
        Groups = ["ai-agents"],
        Issuer = "urn:gateway:dev-issuer",
        ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
    }, "pg", "postgres", "bench");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")))
                return dir.FullName;
        }
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("run the benchmarks from the repository (gateway.sln not found above the binaries or the current directory)");
    }
}
