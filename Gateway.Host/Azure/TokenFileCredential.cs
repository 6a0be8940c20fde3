using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;

namespace Gateway.Host.Azure;

/// <summary>
/// A bearer token read from a file that something else keeps fresh (a sidecar, a CI job, the tests). The file is
/// read again at least every <see cref="RereadInterval"/>, so a rotated token is picked up without a restart.
/// The token's own <c>exp</c> is used when it is a JWT.
/// </summary>
public sealed class TokenFileCredential(string path, TimeProvider? time = null) : TokenCredential
{
    public static readonly TimeSpan RereadInterval = TimeSpan.FromMinutes(1);

    /// <summary>A token file is a few KiB; anything far larger is not a token.</summary>
    private const int MaxFileBytes = 64 * 1024;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Path { get; } = path;

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            using var handle = File.OpenHandle(Path);
            var bytes = new byte[CappedLength(RandomAccess.GetLength(handle))];
            return ToAccessToken(bytes.AsSpan(0, RandomAccess.Read(handle, bytes, 0)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(e);
        }
    }

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            using var handle = File.OpenHandle(Path, options: FileOptions.Asynchronous);
            var bytes = new byte[CappedLength(RandomAccess.GetLength(handle))];
            return ToAccessToken(bytes.AsSpan(0, await RandomAccess.ReadAsync(handle, bytes, 0, cancellationToken)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(e);
        }
    }

    private CredentialUnavailableException Unreadable(Exception e) => new($"token file {Path} cannot be read: {e.Message}", e);

    private int CappedLength(long length) => length > MaxFileBytes
        ? throw new CredentialUnavailableException($"token file {Path} is larger than {MaxFileBytes} bytes")
        : (int)length;

    private AccessToken ToAccessToken(ReadOnlySpan<byte> bytes)
    {
        var token = Encoding.UTF8.GetString(bytes).Trim();
        if (token.Length == 0)
            throw new CredentialUnavailableException($"token file {Path} is empty");

        var now = _time.GetUtcNow();
        var expiresOn = JwtExpiry(token) ?? now.AddMinutes(10);
        var refreshOn = now + RereadInterval;
        return new AccessToken(token, expiresOn, refreshOn < expiresOn ? refreshOn : expiresOn);
    }

    /// <summary>The <c>exp</c> claim of a JWT, or null when the token is not a JWT (opaque tokens are fine).</summary>
    internal static DateTimeOffset? JwtExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
            return null;
        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
