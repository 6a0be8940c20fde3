namespace Gateway.Tests;

/// <summary>Locates the repository root from the test binaries, for tests that read shipped files.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"gateway.sln not found above {AppContext.BaseDirectory}");
    }
}
