using Gateway.Core.Masking;

namespace Gateway.Tests.Masking;

/// <summary>The per-deployment key behind the hash strategy, in <c>state_dir/keys/masking.key</c>.</summary>
public sealed class MaskingKeyTests
{
    private DirectoryInfo _state = null!;

    [SetUp]
    public void SetUp() => _state = Directory.CreateTempSubdirectory("gateway-state-");

    [TearDown]
    public void TearDown() => _state.Delete(recursive: true);

    private string KeyPath => Path.Combine(_state.FullName, "keys", "masking.key");

    [Test]
    public void The_first_start_generates_a_private_key_and_later_starts_reuse_it()
    {
        var first = MaskingKey.LoadOrCreate(_state.FullName);
        Assert.That(new FileInfo(KeyPath).Length, Is.EqualTo(MaskingKey.Length));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(KeyPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(KeyPath)!),
                Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        }

        var second = MaskingKey.LoadOrCreate(_state.FullName);
        var spec = new MaskSpec("r", ["email"], [], MaskStrategy.Hash);
        var a = new System.Buffers.ArrayBufferWriter<byte>();
        var b = new System.Buffers.ArrayBufferWriter<byte>();
        new MaskingPlan([spec], first).TryMask("jane@example.com"u8, columnMasked: true, a);
        new MaskingPlan([spec], second).TryMask("jane@example.com"u8, columnMasked: true, b);
        Assert.That(a.WrittenSpan.SequenceEqual(b.WrittenSpan), Is.True, "pseudonyms survive a restart");
        // The key and the creators' lock file; no temporary file left behind.
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(KeyPath)!).Order(), Is.EqualTo(new[] { KeyPath, KeyPath + ".lock" }));
    }

    [Test]
    public void A_key_readable_by_others_is_refused()
    {
        MaskingKey.LoadOrCreate(_state.FullName);
        if (OperatingSystem.IsWindows())
        {
            // No POSIX modes: the key file inherits the state directory's ACL.
            Assert.That(MaskingKey.LoadOrCreate(_state.FullName), Is.Not.Null);
            return;
        }
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<InvalidOperationException>(() => MaskingKey.LoadOrCreate(_state.FullName));
        Assert.That(e!.Message, Does.Contain("chmod 600"));
    }

    [Test]
    public void A_key_of_the_wrong_size_is_refused()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        File.WriteAllBytes(KeyPath, new byte[7]);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<InvalidOperationException>(() => MaskingKey.LoadOrCreate(_state.FullName));
        Assert.That(e!.Message, Does.Contain("holds 7 bytes"));
    }
}
