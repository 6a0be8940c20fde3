using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

/// <summary>
/// A segment's page cache stays bounded: what lies more than <see cref="SegmentWriteBehind.Lag"/> behind the end
/// of the log is written back and dropped, while the recent tail (which a sink reads) stays cached; a closed
/// segment (rotation) is dropped whole. The files live beside the test binaries, on the checkout's disk: a
/// temp directory may be tmpfs, whose pages are the file and cannot be dropped.
/// </summary>
[Platform("Linux")]
public sealed class SegmentWriteBehindTests
{
    private const long MiB = 1024 * 1024;
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        Assert.That(SegmentWriteBehind.Supported, Is.True, "the test machines are 64-bit Linux on x64 or Arm64");
        _directory = Path.Combine(AppContext.BaseDirectory, "write-behind-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task OnlyTheTailOfAGrowingSegmentStaysInThePageCache()
    {
        var path = Path.Combine(_directory, "segment.jsonl");
        using var segment = DiskSegmentStorage.Instance.Open(path);
        long end = 0;
        void AppendWindow() => end = AppendLines(segment, end, end + SegmentWriteBehind.Window);

        // fsync now and then, as durability: fsync does and a healthy disk's writeback soon does: only clean pages can
        // be dropped, and this test is about which ones are, not about how fast this machine's disk is.
        for (var windows = 1; end < 3 * SegmentWriteBehind.Lag; windows++)
        {
            AppendWindow();
            if (windows % 4 == 0)
                segment.FlushToDisk();
        }

        // The drops run on the thread pool: within a few more windows the cache holds just the tail.
        var bound = SegmentWriteBehind.Lag + 3 * SegmentWriteBehind.Window;
        var resident = PageCacheResidency.ResidentBytes(path);
        for (var attempt = 0; attempt < 50 && resident > bound; attempt++)
        {
            await Task.Delay(100);
            AppendWindow();
            segment.FlushToDisk();
            resident = PageCacheResidency.ResidentBytes(path);
        }

        Assert.That(resident, Is.LessThanOrEqualTo(bound),
            $"{resident / MiB} MiB of a {end / MiB} MiB segment cached; the tail is {SegmentWriteBehind.Lag / MiB} MiB");
        var tail = SegmentWriteBehind.Lag / 2;
        Assert.That(resident, Is.GreaterThanOrEqualTo(tail), "the recent tail stays cached for the sinks");
        Assert.That(new FileInfo(path).Length, Is.EqualTo(end), "every byte written");
    }

    [Test]
    public async Task A_closed_segment_is_written_back_and_dropped_whole()
    {
        // Smaller than the lag, so no pass dropped anything while it was written: only the close does.
        var path = Path.Combine(_directory, "rotated.jsonl");
        var segment = DiskSegmentStorage.Instance.Open(path);
        var end = AppendLines(segment, 0, 8 * MiB);
        Assert.That(PageCacheResidency.ResidentBytes(path), Is.GreaterThan(4 * MiB), "cached while the segment is open");

        segment.Dispose();

        var resident = PageCacheResidency.ResidentBytes(path);
        for (var attempt = 0; attempt < 100 && resident > 0; attempt++)
        {
            await Task.Delay(50);
            resident = PageCacheResidency.ResidentBytes(path);
        }
        Assert.That(resident, Is.Zero, "the closed segment left the page cache");
        Assert.That(new FileInfo(path).Length, Is.EqualTo(end), "every byte written");
    }

    /// <summary>Appends 2,000-byte lines, as the writer's commits do, from <paramref name="end"/> until at least <paramref name="target"/>.</summary>
    private static long AppendLines(ISegmentHandle segment, long end, long target)
    {
        var line = new byte[2000];
        Array.Fill(line, (byte)'x');
        for (; end < target; end += line.Length)
            segment.Write(line, end);
        return end;
    }
}
