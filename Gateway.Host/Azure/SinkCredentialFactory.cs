using Azure.Core;
using Azure.Identity;
using Gateway.Core.Config;

namespace Gateway.Host.Azure;

/// <summary>Turns <c>audit.sinks[].credential</c> into an Azure.Identity credential.</summary>
public static class SinkCredentialFactory
{
    /// <param name="resolvePath">Resolves a path written in the config (relative to the config file).</param>
    /// <exception cref="InvalidOperationException">The credential is misconfigured (unknown type, secret not set).</exception>
    public static TokenCredential Create(CredentialConfig credential, Func<string, string> resolvePath) => credential.Type switch
    {
        "default" => new DefaultAzureCredential(),
        "managed_identity" => new ManagedIdentityCredential(string.IsNullOrEmpty(credential.ClientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(credential.ClientId)),
        // Client, tenant and token file come from AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE,
        // as the AKS workload identity webhook sets them; a configured client_id / tenant_id wins.
        "workload_identity" => new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions
        {
            ClientId = string.IsNullOrEmpty(credential.ClientId) ? null : credential.ClientId,
            TenantId = string.IsNullOrEmpty(credential.TenantId) ? null : credential.TenantId,
        }),
        "client_secret" => new ClientSecretCredential(
            Required(credential.TenantId, "tenant_id"),
            Required(credential.ClientId, "client_id"),
            SecretSource.Read(Required(credential.SecretEnv, "secret_env"), null)!),
        "token_file" => new TokenFileCredential(resolvePath(Required(credential.Path, "path"))),
        _ => throw new InvalidOperationException($"credential type '{credential.Type}' is not one of: default, managed_identity, workload_identity, client_secret, token_file"),
    };

    private static string Required(string? value, string key) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidOperationException($"credential.{key} is required") : value;
}
