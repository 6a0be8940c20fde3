using System.Runtime.CompilerServices;
using Gateway.Core.FrameLog;

namespace Gateway.Host.Replay;

/// <summary>Sessions from the local frame log under <c>{state_dir}/log</c>, read with <see cref="FrameLogReader"/>.</summary>
public sealed class LocalSessionSource(string logDirectory) : ISessionSource
{
    public async IAsyncEnumerable<SessionSummary> ListAsync(SessionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sessions = new Dictionary<string, SessionSummaryBuilder>(StringComparer.Ordinal);
        await foreach (var entry in new FrameLogReader(logDirectory).ReadRecordsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            // A refused connection never became a session: replayable by its id, but not listed.
            if (entry.Record.SessionId is not { } id || entry.Record.Kind == FrameKinds.ConnectionRefused)
                continue;
            if (!sessions.TryGetValue(id, out var builder))
                sessions[id] = builder = new SessionSummaryBuilder(id);
            builder.Add(entry.Record);
        }
        foreach (var summary in sessions.Values.Select(b => b.Build()).OrderBy(s => s.Start))
        {
            if (query.Subject is not null && summary.Subject != query.Subject)
                continue;
            if (query.ActiveSince is { } since && summary.LastActivity < since)
                continue;
            yield return summary;
        }
    }

    public async Task<SessionRecording?> LoadAsync(string sessionIdOrPrefix, CancellationToken cancellationToken)
    {
        var matches = new Dictionary<string, List<FrameRecord>>(StringComparer.Ordinal);
        await foreach (var entry in new FrameLogReader(logDirectory).ReadRecordsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entry.Record.SessionId is not { } id || !id.StartsWith(sessionIdOrPrefix, StringComparison.Ordinal))
                continue;
            if (!matches.TryGetValue(id, out var records))
                matches[id] = records = [];
            records.Add(entry.Record);
        }

        if (!matches.TryGetValue(sessionIdOrPrefix, out var chosen))
        {
            // A prefix names a session (what --list shows); refused connections answer only to their whole id.
            if (matches.Count > 1)
            {
                foreach (var (id, records) in matches.Where(m => m.Value.TrueForAll(r => r.Kind == FrameKinds.ConnectionRefused)).ToList())
                    matches.Remove(id);
            }
            if (matches.Count > 1)
                throw new AmbiguousSessionException(sessionIdOrPrefix, [.. matches.Keys.Order(StringComparer.Ordinal)]);
            if (matches.Count == 0)
                return null;
            chosen = matches.Values.Single();
        }
        var builder = new SessionSummaryBuilder(chosen[0].SessionId!);
        foreach (var record in chosen)
            builder.Add(record);
        return new SessionRecording(builder.Build(), chosen);
    }
}
