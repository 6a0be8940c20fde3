using System.Security.Cryptography;

namespace Gateway.Core.Masking;

/// <summary>
/// The per-deployment secret behind the <c>hash</c> strategy. Every gateway node of a deployment that shares
/// <c>state_dir/keys/masking.key</c> produces the same pseudonym for the same value, so masked columns still
/// join; without the key a pseudonym cannot be reversed by guessing values.
/// </summary>
public sealed class MaskingKey
{
    public const int Length = 32;
    public const string RelativePath = "keys/masking.key";

    private readonly byte[] _bytes;

    private MaskingKey(byte[] bytes) => _bytes = bytes;

    internal ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>A key that lives only in this process: for <c>rules lint</c> and tests, never for serving.</summary>
    public static MaskingKey Ephemeral() => new(RandomNumberGenerator.GetBytes(Length));

    public static MaskingKey FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length
            ? new MaskingKey(bytes.ToArray())
            : throw new ArgumentException($"a masking key is {Length} bytes, not {bytes.Length}", nameof(bytes));

    /// <summary>
    /// Reads <c>{stateDirectory}/keys/masking.key</c>, generating it (mode 0600, directory 0700) on first use.
    /// Refuses a key file that group or others may read: a leaked key turns pseudonyms into a lookup table.
    /// </summary>
    /// <exception cref="InvalidOperationException">The key file is unreadable, has the wrong size or is too open.</exception>
    public static MaskingKey LoadOrCreate(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, RelativePath);
        if (!File.Exists(path))
            TryCreate(path);
        return Read(path);
    }

    private static void TryCreate(string path)
    {
        PrivateFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        // False when another starter created the key first: theirs is the deployment's key.
        PrivateFiles.TryCreate(path, RandomNumberGenerator.GetBytes(Length));
    }

    private static MaskingKey Read(string path)
    {
        byte[] bytes;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(path);
                const UnixFileMode open = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
                if ((mode & open) != 0)
                    throw new InvalidOperationException($"{path} is readable by group or others; run: chmod 600 {path}");
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the masking key {path}: {e.Message}", e);
        }
        if (bytes.Length != Length)
            throw new InvalidOperationException($"{path} holds {bytes.Length} bytes; a masking key is {Length} bytes");
        return new MaskingKey(bytes);
    }
}
