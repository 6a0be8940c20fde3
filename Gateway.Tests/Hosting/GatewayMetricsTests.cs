using Gateway.Core.Diagnostics;
using Gateway.Core.Policy;
using Gateway.Core.Sessions;

namespace Gateway.Tests.Hosting;

public sealed class GatewayMetricsTests
{
    [Test]
    public void Decision_tags_are_spelled_as_rule_files_and_frame_log_records_spell_them()
    {
        foreach (var action in Enum.GetValues<DecisionAction>())
        {
            var decision = new Decision { Action = action, RuleId = "r" };
            Assert.That(ListenerMetrics.DecisionNames[(int)action], Is.EqualTo(decision.ActionName), action.ToString());
        }
        Assert.That(ListenerMetrics.DecisionNames, Has.Length.EqualTo(Enum.GetValues<DecisionAction>().Length));
    }

    [Test]
    public void Every_refusal_reason_has_a_tag()
    {
        Assert.That(ListenerMetrics.RefusalReasonNames, Has.Length.EqualTo(Enum.GetValues<RefusalReason>().Length));
    }

    [Test]
    public void Counters_are_kept_per_listener()
    {
        using var metrics = new GatewayMetrics();
        metrics.For("a").ConnectionRefused(RefusalReason.Draining);
        metrics.For("a").CommandDecided(DecisionAction.Mask);
        metrics.For("b").CommandDecided(DecisionAction.Mask);
        metrics.For("b").CommandDecided(DecisionAction.Mask);

        Assert.That(metrics.For("a"), Is.SameAs(metrics.For("a")));
        Assert.That(metrics.For("a").RefusedCount((int)RefusalReason.Draining), Is.EqualTo(1));
        Assert.That(metrics.For("a").CommandCount((int)DecisionAction.Mask), Is.EqualTo(1));
        Assert.That(metrics.For("b").CommandCount((int)DecisionAction.Mask), Is.EqualTo(2));
    }
}
