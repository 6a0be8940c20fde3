using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.FrameLog;

/// <summary>
/// The node's ECDSA P-256 key that signs checkpoints. Generated on first start into
/// <c>{state_dir}/keys/node-signing.pem</c> (PKCS#8, mode 0600); the public half is exported with
/// <c>gateway verify --export-key</c> so a log can be verified away from the node.
/// </summary>
public sealed class NodeSigningKey : IDisposable
{
    private readonly ECDsa _key;

    private NodeSigningKey(ECDsa key, bool hasPrivateKey)
    {
        _key = key;
        HasPrivateKey = hasPrivateKey;
        KeyId = ComputeKeyId(key);
    }

    public bool HasPrivateKey { get; }

    /// <summary>First 16 hex digits of SHA-256 over the SubjectPublicKeyInfo: names the key in checkpoints.</summary>
    public string KeyId { get; }

    /// <summary>Loads the key at <paramref name="path"/>, creating it (0600) when the file does not exist.</summary>
    public static NodeSigningKey LoadOrCreate(string path)
    {
        if (File.Exists(path))
            return LoadPem(File.ReadAllText(path));

        PrivateFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Whole or not at all: a crash here must not leave half a key that stops the next start.
        if (PrivateFiles.TryCreate(path, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem())))
            return new NodeSigningKey(key, hasPrivateKey: true);
        // Another starter created it first; theirs signs this log.
        key.Dispose();
        return LoadPem(File.ReadAllText(path));
    }

    /// <summary>Loads a private (PKCS#8 / EC) or public (SubjectPublicKeyInfo) PEM.</summary>
    public static NodeSigningKey LoadPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new CryptographicException("not an EC key in PEM form", e);
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException($"expected a P-256 key, found {key.KeySize} bits");
        }
        var hasPrivate = pem.Contains("PRIVATE KEY", StringComparison.Ordinal);
        return new NodeSigningKey(key, hasPrivate);
    }

    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>IEEE P1363 (r‖s) signature over SHA-256 of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) =>
        _key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static string ComputeKeyId(ECDsa key)
    {
        var spki = key.ExportSubjectPublicKeyInfo();
        return Convert.ToHexStringLower(SHA256.HashData(spki))[..16];
    }

    public void Dispose() => _key.Dispose();
}
