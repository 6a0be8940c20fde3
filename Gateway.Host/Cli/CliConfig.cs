using System.CommandLine;
using Gateway.Core.Config;

namespace Gateway.Host.Cli;

/// <summary>The shared <c>--config</c> option and strict loading with readable errors.</summary>
internal static class CliConfig
{
    public static Option<FileInfo> CreateOption() => new("--config", "-c")
    {
        Description = "Path to gateway.yaml",
        Required = true,
    };

    /// <summary>Loads the file or prints every located error to stderr and returns null.</summary>
    public static GatewayConfig? TryLoad(FileInfo file)
    {
        try
        {
            return ConfigLoader.Load(file.FullName);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"configuration error{(e.Errors.Count > 1 ? "s" : "")}:");
            foreach (var error in e.Errors)
                Console.Error.WriteLine($"  {error}");
            return null;
        }
    }
}
