using System.Security.Cryptography;
using System.Text;

namespace Gateway.Protocols.Postgres.Auth;

/// <summary>
/// The answer to AuthenticationMD5Password: <c>"md5" + hex(md5(hex(md5(password + user)) + salt))</c>.
/// Spec: https://www.postgresql.org/docs/15/protocol-flow.html#id-1.10.6.7.3 (AuthenticationMD5Password)
/// </summary>
public static class Md5Password
{
    public static string Compute(string user, string password, ReadOnlySpan<byte> salt)
    {
        if (salt.Length != 4)
            throw new ArgumentException($"MD5 salt must be 4 bytes, was {salt.Length}", nameof(salt));

        var inner = Encoding.UTF8.GetBytes(password + user);
        Span<byte> innerHash = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(inner, innerHash);
        CryptographicOperations.ZeroMemory(inner);

        Span<byte> outer = stackalloc byte[MD5.HashSizeInBytes * 2 + 4];
        WriteLowerHex(innerHash, outer);
        salt.CopyTo(outer[(MD5.HashSizeInBytes * 2)..]);
        Span<byte> outerHash = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(outer, outerHash);
        CryptographicOperations.ZeroMemory(outer);
        CryptographicOperations.ZeroMemory(innerHash);

        return "md5" + Convert.ToHexStringLower(outerHash);
    }

    private static void WriteLowerHex(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        const string digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[i * 2] = (byte)digits[bytes[i] >> 4];
            destination[i * 2 + 1] = (byte)digits[bytes[i] & 0xF];
        }
    }
}
