using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Config;
using Gateway.Core.Masking;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Policy;

/// <summary>
/// A listener's rules, hot-reloaded: watches the rule files' folders, waits for writes to settle (debounce),
/// skips reloads whose content hash did not change, compiles off the command path and swaps the snapshot
/// atomically. A reload that fails keeps the previous rules in force, logs why and turns the health red until
/// a later reload succeeds. Sessions read <see cref="Current"/> once per command.
/// </summary>
public sealed partial class PolicySource : IPolicySource, IDisposable
{
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(300);

    private readonly string[] _paths;
    private readonly MaskingKey _maskingKey;
    private readonly ILogger _logger;
    private readonly TimeSpan _debounce;
    private readonly ITimer _debounceTimer;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly SemaphoreSlim _reloadGate = new(1, 1);

    private RuleSet _current;
    private byte[] _currentHash;
    private byte[]? _failedHash;
    private string? _lastError;
    private long _generation;
    private int _disposed;

    private PolicySource(string name, string[] paths, MaskingKey maskingKey, RuleSet initial, byte[] hash,
        ILogger logger, TimeProvider time, TimeSpan debounce)
    {
        Name = name;
        _paths = paths;
        _maskingKey = maskingKey;
        _current = initial;
        _currentHash = hash;
        _logger = logger;
        _debounce = debounce;
        _generation = 1;
        _debounceTimer = time.CreateTimer(_ => _ = ReloadFromWatcherAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised after every reload attempt that compiled (true) or failed (false); not for unchanged content.</summary>
    public event Action<PolicySource, bool>? Reloaded;

    /// <summary>The listener name, for logs and the health report.</summary>
    public string Name { get; }

    public IPolicy Current => Volatile.Read(ref _current);

    /// <summary>The snapshot in force, with its file list and warnings.</summary>
    public RuleSet Rules => Volatile.Read(ref _current);

    public bool IsHealthy => Volatile.Read(ref _lastError) is null;

    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Counts successful loads, the first included.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public IReadOnlyList<string> Paths => _paths;

    /// <summary>
    /// Loads the rules and starts watching them. A listener must not start without its rules, so a first load
    /// that fails throws (with every error).
    /// </summary>
    /// <exception cref="ConfigException">The rule files do not load.</exception>
    public static PolicySource Start(string name, IEnumerable<string> paths, MaskingKey maskingKey, ILogger logger,
        TimeProvider? time = null, TimeSpan? debounce = null)
    {
        var fullPaths = paths.Select(Path.GetFullPath).ToArray();
        var texts = new List<RuleFileText>();
        var readErrors = new List<ConfigError>();
        foreach (var path in fullPaths)
        {
            try
            {
                texts.Add(new RuleFileText(path, File.ReadAllText(path)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                readErrors.Add(new ConfigError(path, 0, 0, "", $"cannot read: {e.Message}"));
            }
        }
        if (readErrors.Count > 0)
            throw new ConfigException(readErrors);

        var rules = RuleSet.Parse(texts, maskingKey);
        var source = new PolicySource(name, fullPaths, maskingKey, rules, Hash(texts), logger,
            time ?? TimeProvider.System, debounce ?? DefaultDebounce);
        source.Watch();
        Log.Loaded(logger, name, rules.Rules.Length, fullPaths.Length, 1);
        return source;
    }

    /// <summary>Reloads now (SIGHUP, admin endpoint, tests). Returns true when the rules in force are the files' rules.</summary>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool? outcome;
        try
        {
            outcome = await ReloadCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reloadGate.Release();
        }
        if (outcome is { } compiled)
            Reloaded?.Invoke(this, compiled);
        return outcome ?? IsHealthy;
    }

    /// <returns>true = new rules in force, false = failed, null = content unchanged.</returns>
    private async Task<bool?> ReloadCoreAsync(CancellationToken cancellationToken)
    {
        var texts = new List<RuleFileText>(_paths.Length);
        try
        {
            foreach (var path in _paths)
                texts.Add(new RuleFileText(path, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"cannot read rule file: {e.Message}", hash: null);
        }

        var hash = Hash(texts);
        if (hash.AsSpan().SequenceEqual(_currentHash))
        {
            // Back to the content in force (e.g. a broken edit was reverted): nothing to compile, healthy again.
            if (Interlocked.Exchange(ref _lastError, null) is not null)
                Log.Recovered(_logger, Name);
            _failedHash = null;
            return null;
        }
        if (_failedHash is not null && hash.AsSpan().SequenceEqual(_failedHash))
            return null;

        RuleSet rules;
        try
        {
            rules = RuleSet.Parse(texts, _maskingKey);
        }
        catch (ConfigException e)
        {
            return Fail(e.Message, hash);
        }

        Volatile.Write(ref _current, rules);
        _currentHash = hash;
        _failedHash = null;
        Volatile.Write(ref _lastError, null);
        var generation = Interlocked.Increment(ref _generation);
        Log.Loaded(_logger, Name, rules.Rules.Length, _paths.Length, generation);
        return true;
    }

    private bool Fail(string reason, byte[]? hash)
    {
        _failedHash = hash;
        Volatile.Write(ref _lastError, reason);
        Log.ReloadFailed(_logger, Name, reason);
        return false;
    }

    private async Task ReloadFromWatcherAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
            return;
        try
        {
            await ReloadAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A timer callback has no caller to report to: keep the old rules, say so, go unhealthy.
            Volatile.Write(ref _lastError, $"reload failed: {e.Message}");
            Log.ReloadCrashed(_logger, Name, e);
        }
    }

    private void Watch()
    {
        // Watch folders, not files: editors save by renaming a temp file, and Kubernetes swaps a ConfigMap's
        // "..data" symlink; the content hash filters out events that changed nothing of ours.
        foreach (var directory in _paths.Select(p => Path.GetDirectoryName(p)!).Distinct(StringComparer.Ordinal))
        {
            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Deleted += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.Error += (_, _) => ScheduleReload();
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => ScheduleReload();

    private void ScheduleReload()
    {
        if (Volatile.Read(ref _disposed) == 0)
            _debounceTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private static byte[] Hash(IReadOnlyList<RuleFileText> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.Path));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(file.Text));
            hash.AppendData([0]);
        }
        return hash.GetHashAndReset();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var watcher in _watchers)
            watcher.Dispose();
        _debounceTimer.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "listener {Listener}: {RuleCount} rules from {FileCount} files in force (generation {Generation})")]
        public static partial void Loaded(ILogger logger, string listener, int ruleCount, int fileCount, long generation);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "listener {Listener}: rule reload failed, previous rules stay in force: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string listener, string reason);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "listener {Listener}: rule files are back to the rules in force; healthy again")]
        public static partial void Recovered(ILogger logger, string listener);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "listener {Listener}: rule reload crashed, previous rules stay in force")]
        public static partial void ReloadCrashed(ILogger logger, string listener, Exception exception);
    }
}
