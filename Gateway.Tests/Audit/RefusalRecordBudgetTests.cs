using Gateway.Core.Audit;

namespace Gateway.Tests.Audit;

public sealed class RefusalRecordBudgetTests
{
    [Test]
    public void A_burst_is_recorded_up_to_its_size_then_counted_and_the_count_rides_on_the_next_record()
    {
        var clock = new StepClock();
        var budget = new RefusalRecordBudget(clock, perSecond: 10, burst: 3);

        var taken = Enumerable.Range(0, 8).Select(attempt => budget.TryTake(out var before) ? before : -1).ToArray();
        clock.Advance(TimeSpan.FromMilliseconds(100)); // one record's worth at 10/s
        var next = budget.TryTake(out var unrecordedBefore);

        Assert.That(taken, Is.EqualTo(new long[] { 0, 0, 0, -1, -1, -1, -1, -1 }));
        Assert.That(next, Is.True);
        Assert.That(unrecordedBefore, Is.EqualTo(5));
        Assert.That(budget.UnrecordedTotal, Is.EqualTo(5));
        Assert.That(budget.TryTake(out _), Is.False, "the refill was one record");
    }

    [Test]
    public void The_budget_refills_at_its_rate_and_never_above_its_burst()
    {
        var clock = new StepClock();
        var budget = new RefusalRecordBudget(clock, perSecond: 10, burst: 3);
        for (var i = 0; i < 3; i++)
            budget.TryTake(out _);

        clock.Advance(TimeSpan.FromHours(1));
        var afterAnHour = Enumerable.Range(0, 5).Count(attempt => budget.TryTake(out _));

        Assert.That(afterAnHour, Is.EqualTo(3));
    }

    /// <summary>A clock whose timestamps move only when the test says so.</summary>
    private sealed class StepClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
