using System.Runtime.Versioning;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

public sealed class NodeSigningKeyTests
{
    private DirectoryInfo _state = null!;

    [SetUp]
    public void SetUp() => _state = Directory.CreateTempSubdirectory("gw-node-key-");

    [TearDown]
    public void TearDown() => _state.Delete(recursive: true);

    [Test]
    [UnsupportedOSPlatform("windows")]
    public void The_created_key_is_private_whole_and_the_same_on_the_next_load()
    {
        var path = FrameLogPaths.SigningKeyPath(_state.FullName);

        using var created = NodeSigningKey.LoadOrCreate(path);
        using var loaded = NodeSigningKey.LoadOrCreate(path);

        Assert.That(loaded.KeyId, Is.EqualTo(created.KeyId));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(path)!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        // The key and the creators' lock file; no temporary file left behind.
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!).Order(), Is.EqualTo(new[] { path, path + ".lock" }));
    }

    [Test]
    public void Starters_racing_for_a_new_key_all_end_up_with_the_one_that_landed()
    {
        var path = FrameLogPaths.SigningKeyPath(_state.FullName);

        var keys = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Select(_ => NodeSigningKey.LoadOrCreate(path)).ToList();
        using var onDisk = NodeSigningKey.LoadOrCreate(path);

        Assert.That(keys.Select(k => k.KeyId).Distinct(), Is.EqualTo(new[] { onDisk.KeyId }));
        foreach (var key in keys)
            key.Dispose();
    }
}
