using Azure.Core.Pipeline;
using Gateway.Core.Tls;

namespace Gateway.Host.Azure;

/// <summary>
/// The HTTP transport for an ingestion endpoint reached through a private endpoint or TLS-inspecting proxy whose
/// certificate chains to a private CA (<c>ca_file</c>): the system roots are still trusted, and a chain that fails
/// only because its root is unknown is rebuilt against the configured root. Host-name checks stay on.
/// </summary>
public static class PrivateRootTransport
{
    public static HttpClientTransport Create(string caFile)
    {
        var roots = TrustedRoots.Load(caFile);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) => TrustedRoots.Accept(certificate, chain, errors, roots),
        };
        return new HttpClientTransport(handler);
    }
}
