using Gateway.Core.Audit;

namespace Gateway.Core.Identity;

/// <summary>
/// Puts a value taken from an unverified token into a refusal reason: quoted, bounded and without control
/// characters (<see cref="UntrustedText"/>), because the reason travels back to the client in a protocol error
/// and into logs.
/// </summary>
internal static class ClientText
{
    private const int MaxChars = 80;

    public static string Quote(string? value) => value is null ? "(none)" : $"'{UntrustedText.Clean(value, MaxChars)}'";

    public static string QuoteAll(IEnumerable<string> values) => string.Join(", ", values.Take(5).Select(Quote));
}
