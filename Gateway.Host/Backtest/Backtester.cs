using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Core.FrameLog;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Session;

namespace Gateway.Host.Backtest;

/// <summary>How far a backtest has read the log, in segment bytes.</summary>
public readonly record struct BacktestProgress(long BytesRead, long TotalBytes);

/// <summary>
/// Judges every <c>command</c> record of a local frame log again under other rules and compares with the decision
/// the gateway recorded (action and rule id). Each command is rebuilt as its session built it
/// (<see cref="RecordedCommandRebuilder"/>) for the session's recorded identity, and the decision passes the same
/// protocol checks the session applies after the rules (<see cref="CopyToMasking"/>).
/// </summary>
public sealed class Backtester(IPolicy rules, SqlAnalyzer analyzer)
{
    /// <summary>The decision a session takes when the rules throw; the backtest reports it the same way.</summary>
    private static readonly Decision PolicyError = new()
    {
        Action = DecisionAction.Deny,
        RuleId = "gateway:policy-error",
        Message = "the rules could not be evaluated for this statement",
    };

    private const long ProgressStepBytes = 256 * 1024;

    private readonly RecordedCommandRebuilder _rebuilder = new(analyzer);

    /// <exception cref="InvalidDataException">A line of the log is not a record (run <c>gateway verify</c>).</exception>
    /// <exception cref="IOException">A segment cannot be read.</exception>
    public async Task<BacktestReport> RunAsync(string logDirectory, BacktestOptions options, IProgress<BacktestProgress>? progress,
        CancellationToken cancellationToken)
    {
        var report = new BacktestReport(options.CommandsPerChange);
        var sessions = new Dictionary<string, RecordedSessionState>(StringComparer.Ordinal);
        await foreach (var record in ReadRecordsAsync(new FrameLogReader(logDirectory), progress, cancellationToken).ConfigureAwait(false))
        {
            if (record.Kind == FrameKinds.SessionEnd && record.SessionId is { } ended)
            {
                sessions.Remove(ended);
                continue;
            }
            if (record.Kind != FrameKinds.Command
                || (options.Listener is { } listener && record.Listener != listener)
                || (options.Since is { } since && record.TimeGenerated < since))
                continue;

            var session = SessionOf(record, sessions);
            if (session is null)
            {
                report.AddSkipped("no recorded identity");
                continue;
            }
            if (record.Decision is not { Length: > 0 } recordedAction || record.RuleId is not { Length: > 0 } recordedRule)
            {
                report.AddSkipped("no recorded decision");
                continue;
            }
            if (_rebuilder.Rebuild(record, session, out var skipReason) is not { } command)
            {
                report.AddSkipped(skipReason!);
                continue;
            }

            var decision = Decide(session, command);
            if (command.Origin == CommandOrigin.Query && !decision.IsBlocking)
                session.Prepared.Remember(command); // forwarded under the new rules: its PREPAREs now exist
            report.AddJudged(new RecordedDecision(recordedAction, recordedRule), RecordedDecision.From(decision), record.Command!);
        }
        return report;
    }

    private Decision Decide(RecordedSessionState session, Command command)
    {
        Decision decision;
        try
        {
            decision = rules.Evaluate(session.Facts, command);
        }
        catch (Exception)
        {
            return PolicyError;
        }
        return command.Origin == CommandOrigin.Replication ? decision : CopyToMasking.Apply(command, decision);
    }

    private static RecordedSessionState? SessionOf(FrameRecord record, Dictionary<string, RecordedSessionState> sessions)
    {
        if (record.SessionId is not { } id)
            return RecordedSessionState.TryCreate(record);
        if (sessions.TryGetValue(id, out var known))
            return known;
        var created = RecordedSessionState.TryCreate(record);
        if (created is not null)
            sessions[id] = created;
        return created;
    }

    /// <summary>
    /// Every finished record, like <see cref="FrameLogReader.ReadRecordsAsync"/>, reporting progress by bytes: an
    /// unfinished last line is a write in progress and skipped; any other line that is not a record is an error.
    /// </summary>
    private static async IAsyncEnumerable<FrameRecord> ReadRecordsAsync(FrameLogReader reader, IProgress<BacktestProgress>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var segmentStarts = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var segment in reader.Segments())
        {
            segmentStarts[segment.Path] = total;
            total += SizeOf(segment.Path);
        }
        long reported = 0;
        await foreach (var line in reader.ReadLinesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (progress is not null)
            {
                var read = Math.Min(total, segmentStarts.GetValueOrDefault(line.Segment.Path) + line.Offset + line.Bytes.Length + 1);
                if (read - reported >= ProgressStepBytes)
                {
                    progress.Report(new BacktestProgress(read, total));
                    reported = read;
                }
            }
            if (FrameLogReader.ParseRecord(line) is { } record)
                yield return record;
        }
        progress?.Report(new BacktestProgress(total, total));
    }

    private static long SizeOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (FileNotFoundException)
        {
            return 0; // deleted by retention while listing
        }
    }
}
