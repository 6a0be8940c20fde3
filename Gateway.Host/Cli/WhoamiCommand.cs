using System.CommandLine;
using System.Globalization;
using Gateway.Core.Config;
using Gateway.Core.Identity;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway whoami --config F --token T</c>: checks a token with the gateway's own validator and prints
/// the principal it proves, or why it is refused (exit 1). <c>--token -</c> reads it from stdin, which keeps
/// it out of the process list.
/// </summary>
internal static class WhoamiCommand
{
    public static Command Create()
    {
        var config = CliConfig.CreateOption();
        var token = new Option<string>("--token", "-t")
        {
            Description = "The token to check, or - to read it from standard input",
            Required = true,
        };
        var command = new Command("whoami", "Validate a token as the gateway would and show who it proves")
        {
            config, token,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var gateway = CliConfig.TryLoad(parseResult.GetRequiredValue(config));
            if (gateway is null)
                return ExitCodes.ConfigError;

            var text = parseResult.GetRequiredValue(token);
            if (text == "-")
                text = await Console.In.ReadToEndAsync(cancellationToken);

            TokenValidator validator;
            try
            {
                validator = TokenValidator.Create(gateway);
            }
            catch (InvalidOperationException e)
            {
                error.WriteLine($"gateway whoami: {e.Message}");
                return ExitCodes.RuntimeError;
            }
            using (validator)
            {
                var result = await validator.ValidateAsync(text.Trim(), cancellationToken);
                if (result.Principal is not { } principal)
                {
                    error.WriteLine($"refused ({Spell(result.Rejection)}): {result.Reason}");
                    return ExitCodes.Finding;
                }
                Print(output, principal);
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static void Print(TextWriter output, Principal principal)
    {
        output.WriteLine($"subject:      {principal.Subject}");
        output.WriteLine($"kind:         {Spell(principal.Kind)}");
        output.WriteLine($"groups:       {string.Join(", ", principal.Groups)}");
        output.WriteLine($"display_name: {principal.DisplayName}");
        output.WriteLine($"issuer:       {principal.Issuer}");
        output.WriteLine($"expires_at:   {principal.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}");
        output.WriteLine($"token_id:     {principal.TokenId}");
    }

    /// <summary>An enum value as the config and docs spell it (snake_case).</summary>
    private static string Spell<T>(T value) where T : struct, Enum => EnumConverter.Spell(value.ToString());
}
