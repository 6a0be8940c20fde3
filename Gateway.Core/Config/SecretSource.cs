namespace Gateway.Core.Config;

/// <summary>
/// Reads a secret named by a <c>*_env</c> or <c>*_file</c> key at the moment it is needed, so a rotated
/// file or environment takes effect on the next upstream connection and the value never sits in config.
/// </summary>
public static class SecretSource
{
    /// <returns>The secret, or null when neither source is configured.</returns>
    /// <exception cref="InvalidOperationException">A source is configured but empty or unreadable.</exception>
    public static string? Read(string? environmentVariable, string? file, Func<string, string>? resolvePath = null)
    {
        if (environmentVariable is not null)
        {
            var value = Environment.GetEnvironmentVariable(environmentVariable);
            return string.IsNullOrEmpty(value)
                ? throw new InvalidOperationException($"environment variable {environmentVariable} is not set")
                : value;
        }
        if (file is not null)
        {
            var path = resolvePath?.Invoke(file) ?? file;
            try
            {
                return File.ReadAllText(path).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"cannot read secret file {path}: {e.Message}", e);
            }
        }
        return null;
    }
}
