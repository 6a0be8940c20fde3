using System.Collections.Concurrent;
using Gateway.Core.Config;
using Gateway.Core.Policy;
using Microsoft.Extensions.Logging;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>Hot reload against real files and a real FileSystemWatcher.</summary>
public sealed class PolicySourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private const string DenyDrop = "version: 1\ndefault: allow\nrules:\n  - id: no-drop\n    match: { statements: [drop] }\n    action: deny\n    message: no\n";
    private const string DenySelect = "version: 1\ndefault: allow\nrules:\n  - id: no-select\n    match: { statements: [select] }\n    action: deny\n    message: no\n";
    private const string Broken = "version: 1\ndefault: allow\nrules:\n  - id: broken\n    match: { statements: [dropp] }\n    action: deny\n";

    private DirectoryInfo _directory = null!;
    private string _path = null!;
    private ListLogger _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("gateway-policy-");
        _path = Path.Combine(_directory.FullName, "rules.yaml");
        File.WriteAllText(_path, DenyDrop);
        _logger = new ListLogger();
    }

    [TearDown]
    public void TearDown() => _directory.Delete(recursive: true);

    private PolicySource Start() => PolicySource.Start("pg", [_path], Key, _logger, debounce: TimeSpan.FromMilliseconds(200));

    private static DecisionAction Drop(PolicySource source) => source.Current.Evaluate(Session(), Command(Statement("drop"))).Action;

    private static DecisionAction Select(PolicySource source) => source.Current.Evaluate(Session(), PolicyTestKit.Select("t")).Action;

    [Test]
    public void Start_loads_the_rules_and_is_healthy()
    {
        using var source = Start();
        Assert.That((Drop(source), source.IsHealthy, source.LastError, source.Generation), Is.EqualTo((DecisionAction.Deny, true, (string?)null, 1L)));
        Assert.That(_logger.Messages, Has.Some.Contains("1 rules from 1 files in force"));
    }

    [Test]
    public void Start_refuses_rules_that_do_not_load()
    {
        File.WriteAllText(_path, Broken);
        var e = Assert.Throws<ConfigException>(() => Start());
        Assert.That(e!.Errors.Single().Line, Is.EqualTo(5));
    }

    [Test]
    public async Task An_edited_file_is_picked_up_by_the_watcher()
    {
        using var source = Start();
        var before = source.Current;
        var reloaded = NextReload(source);

        await File.WriteAllTextAsync(_path, DenySelect);

        Assert.That(await reloaded.WaitAsync(Patience), Is.True);
        Assert.That(source.Current, Is.Not.SameAs(before));
        Assert.That((Drop(source), Select(source), source.IsHealthy, source.Generation),
            Is.EqualTo((DecisionAction.Allow, DecisionAction.Deny, true, 2L)));
    }

    [Test]
    public async Task A_file_replaced_by_rename_is_picked_up_by_the_watcher()
    {
        using var source = Start();
        var reloaded = NextReload(source);

        // How editors and config management save: write a temporary file, rename it over the original.
        var temporary = Path.Combine(_directory.FullName, ".rules.yaml.swp");
        await File.WriteAllTextAsync(temporary, DenySelect);
        File.Move(temporary, _path, overwrite: true);

        Assert.That(await reloaded.WaitAsync(Patience), Is.True);
        Assert.That(Select(source), Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public async Task A_failed_reload_keeps_the_previous_rules_and_turns_unhealthy()
    {
        using var source = Start();
        var before = source.Current;
        var reloaded = NextReload(source);

        await File.WriteAllTextAsync(_path, Broken);

        Assert.That(await reloaded.WaitAsync(Patience), Is.False);
        Assert.That(source.Current, Is.SameAs(before));
        Assert.That(Drop(source), Is.EqualTo(DecisionAction.Deny), "old rules stay in force");
        Assert.That(source.IsHealthy, Is.False);
        Assert.That(source.LastError, Does.Contain($"{_path}:5:").And.Contain("unknown statement kind 'dropp'"));
        Assert.That(_logger.Messages, Has.Some.Contains("rule reload failed, previous rules stay in force"));

        // A fixed file makes it healthy again with the new rules.
        await File.WriteAllTextAsync(_path, DenySelect);
        Assert.That(await source.ReloadAsync(), Is.True);
        Assert.That((source.IsHealthy, source.LastError, Select(source)), Is.EqualTo((true, (string?)null, DecisionAction.Deny)));
    }

    [Test]
    public async Task A_deleted_file_keeps_the_previous_rules()
    {
        using var source = Start();
        File.Delete(_path);
        Assert.That(await source.ReloadAsync(), Is.False);
        Assert.That((Drop(source), source.IsHealthy), Is.EqualTo((DecisionAction.Deny, false)));
        Assert.That(source.LastError, Does.StartWith("cannot read rule file"));
    }

    [Test]
    public async Task Reverting_a_broken_edit_restores_health_without_recompiling()
    {
        using var source = Start();
        var before = source.Current;
        await File.WriteAllTextAsync(_path, Broken);
        Assert.That(await source.ReloadAsync(), Is.False);

        await File.WriteAllTextAsync(_path, DenyDrop);
        Assert.That(await source.ReloadAsync(), Is.True);
        Assert.That((source.Current, source.IsHealthy, source.Generation), Is.EqualTo((before, true, 1L)));
    }

    [Test]
    public async Task Unchanged_content_is_not_recompiled()
    {
        using var source = Start();
        var before = source.Current;
        File.SetLastWriteTimeUtc(_path, DateTime.UtcNow.AddMinutes(1));
        Assert.That(await source.ReloadAsync(), Is.True);
        Assert.That((source.Current, source.Generation), Is.EqualTo((before, 1L)));
    }

    private static Task<bool> NextReload(PolicySource source)
    {
        var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Reloaded += (_, compiled) => completion.TrySetResult(compiled);
        return completion.Task;
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
    }
}
