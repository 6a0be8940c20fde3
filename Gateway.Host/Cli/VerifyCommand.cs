using System.CommandLine;
using System.Security.Cryptography;
using Gateway.Core.FrameLog;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway verify --config F [--public-key PEM] [--export-key PATH|-]</c>: checks the local frame log
/// (hash chain, gapless Seq, checkpoint signatures). Exit 0 when intact, 1 naming the first bad record.
/// <c>--export-key</c> only writes the node's public key, for verifying a copy of the log elsewhere.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var config = CliConfig.CreateOption();
        var exportKey = new Option<string?>("--export-key")
        {
            Description = "Write the node's checkpoint public key (PEM) to PATH, or to stdout with '-', and exit",
        };
        var publicKey = new Option<FileInfo?>("--public-key")
        {
            Description = "Verify checkpoint signatures with this public key (PEM) instead of the key in state_dir",
        };
        var command = new Command("verify", "Verify the frame log: hash chain, gapless Seq, signed checkpoints")
        {
            config, exportKey, publicKey,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(config)!, parse.GetValue(exportKey), parse.GetValue(publicKey), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo configFile, string? exportKey, FileInfo? publicKeyFile, CancellationToken cancellationToken)
    {
        var config = CliConfig.TryLoad(configFile);
        if (config is null)
            return ExitCodes.ConfigError;
        var stateDirectory = config.StateDirectory;

        if (exportKey is not null)
            return await ExportKeyAsync(stateDirectory, exportKey, cancellationToken).ConfigureAwait(false);

        FrameLogVerification result;
        try
        {
            NodeSigningKey? key = null;
            if (publicKeyFile is not null)
                key = NodeSigningKey.LoadPem(await File.ReadAllTextAsync(publicKeyFile.FullName, cancellationToken).ConfigureAwait(false));
            result = await FrameLogVerifier.ForStateDirectory(stateDirectory, key).VerifyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            Console.Error.WriteLine($"cannot verify the frame log in {FrameLogPaths.LogDirectory(stateDirectory)}: {e.Message}");
            return ExitCodes.RuntimeError;
        }

        foreach (var note in result.Notes)
            Console.WriteLine($"note: {note}");
        if (result.Problem is { } problem)
        {
            Console.WriteLine($"frame log BROKEN at {problem}");
            Console.WriteLine($"  {result.Records} records verified before it ({FrameLogPaths.LogDirectory(stateDirectory)})");
            return ExitCodes.Finding;
        }
        var range = result.Records > 0 ? $" (Seq {result.FirstSeq}..{result.LastSeq})" : "";
        Console.WriteLine($"frame log intact: {result.Records} records{range} in {result.Segments} segments, {result.Checkpoints} checkpoints verified");
        Console.WriteLine($"  head {result.HeadHash}");
        return ExitCodes.Ok;
    }

    private static async Task<int> ExportKeyAsync(string stateDirectory, string destination, CancellationToken cancellationToken)
    {
        var keyPath = FrameLogPaths.SigningKeyPath(stateDirectory);
        if (!File.Exists(keyPath))
        {
            Console.Error.WriteLine($"no node signing key at {keyPath} (the gateway creates it on first start)");
            return ExitCodes.RuntimeError;
        }
        using var key = NodeSigningKey.LoadPem(await File.ReadAllTextAsync(keyPath, cancellationToken).ConfigureAwait(false));
        var pem = key.ExportPublicKeyPem() + "\n";
        if (destination == "-")
            await Console.Out.WriteAsync(pem).ConfigureAwait(false);
        else
        {
            await File.WriteAllTextAsync(destination, pem, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"public key {key.KeyId} written to {destination}");
        }
        return ExitCodes.Ok;
    }
}
