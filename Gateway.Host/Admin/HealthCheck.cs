using System.Text;
using Gateway.Core.Diagnostics;

namespace Gateway.Host.Admin;

/// <summary>The answer of <c>/healthz</c>: healthy when no contributor reports a problem and the gateway is not draining.</summary>
internal sealed class HealthCheck(IReadOnlyList<IHealthContributor> contributors, Func<bool> draining)
{
    public IReadOnlyList<IHealthContributor> Contributors => contributors;

    /// <returns>Whether healthy, and the text to answer: <c>ok</c>, or one <c>name: reason</c> line per problem.</returns>
    public (bool Healthy, string Text) Evaluate()
    {
        var problems = new StringBuilder();
        if (draining())
            problems.Append("gateway: draining (shutting down)\n");
        foreach (var contributor in contributors)
        {
            string? problem;
            try
            {
                problem = contributor.Healthy ? null : contributor.Detail ?? "unhealthy";
            }
            catch (Exception e)
            {
                problem = $"health check failed: {e.Message}";
            }
            if (problem is not null)
                problems.Append(contributor.Name).Append(": ").Append(problem.ReplaceLineEndings(" ")).Append('\n');
        }
        return problems.Length == 0 ? (true, "ok\n") : (false, problems.ToString());
    }
}
