using System.CommandLine;
using System.CommandLine.Parsing;
using Gateway.Core.Config;
using Gateway.Core.Identity;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway token --config F --sub NAME --group G [--group G2 ...] [--ttl 10m] [--kind agent|human]</c>:
/// mints a token from the embedded development issuer and prints it alone on stdout, ready for
/// <c>PGPASSWORD=$(gateway token ...)</c>.
/// </summary>
internal static class TokenCommand
{
    private static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(10);

    public static Command Create()
    {
        var config = CliConfig.CreateOption();
        var subject = new Option<string>("--sub")
        {
            Description = "Subject the token names (who is calling)",
            Required = true,
        };
        var groups = new Option<string[]>("--group")
        {
            Description = "A group the subject is in; repeat for more",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ttl = new Option<TimeSpan>("--ttl")
        {
            Description = "How long the token lives, e.g. 30s, 10m, 1h (default 10m; at most identity.max_token_lifetime)",
            CustomParser = ParseDuration,
        };
        var kind = new Option<string>("--kind")
        {
            Description = "Whether the subject is an agent or a person; rules can tell them apart",
            DefaultValueFactory = _ => "agent",
        };
        kind.AcceptOnlyFromAmong("agent", "human");

        var command = new Command("token", "Mint a short-lived token from the development issuer (identity.dev_issuer)")
        {
            config, subject, groups, ttl, kind,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var configFile = parseResult.GetRequiredValue(config);
            var gateway = CliConfig.TryLoad(configFile);
            if (gateway is null)
                return ExitCodes.ConfigError;
            if (!gateway.Identity.DevIssuer)
            {
                error.WriteLine($"gateway token: the development issuer is off in {configFile.FullName}; " +
                    "set identity.dev_issuer: true, or get a token from your OIDC issuer");
                return ExitCodes.ConfigError;
            }
            // The parser refuses a zero duration, so zero means the option was not given.
            var lifetime = parseResult.GetValue(ttl) is { Ticks: > 0 } given ? given : DefaultTtl;
            if (lifetime > gateway.Identity.MaxTokenLifetime)
            {
                error.WriteLine($"gateway token: --ttl {DurationText.Format(lifetime)} is longer than " +
                    $"identity.max_token_lifetime ({DurationText.Format(gateway.Identity.MaxTokenLifetime)}); the gateway would refuse it");
                return ExitCodes.ConfigError;
            }

            try
            {
                using var issuer = new DevIssuer(gateway.Identity, gateway.StateDirectory);
                output.WriteLine(issuer.Issue(
                    parseResult.GetRequiredValue(subject),
                    parseResult.GetValue(groups) ?? [],
                    lifetime,
                    parseResult.GetValue(kind) == "human" ? IdentityKind.Human : IdentityKind.Agent));
                return ExitCodes.Ok;
            }
            catch (InvalidOperationException e)
            {
                error.WriteLine($"gateway token: {e.Message}");
                return ExitCodes.RuntimeError;
            }
        });
        return command;
    }

    private static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero)
            return value;
        result.AddError($"'{text}' is not a positive duration (use e.g. 30s, 10m, 1h)");
        return default;
    }
}
