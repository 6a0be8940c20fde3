using Spectre.Console;

namespace Gateway.Host.Replay;

/// <summary>
/// Plays a transcript: to a terminal through Spectre.Console (errors red, replay notes dim), or as plain text
/// to a writer. Waits between frames as the session did, scaled, unless told not to wait.
/// </summary>
public static class TextPlayer
{
    public static async Task PlayAsync(IReadOnlyList<TranscriptFrame> frames, ReplayTiming timing, bool wait, IAnsiConsole console, CancellationToken cancellationToken)
    {
        await PlayAsync(frames, timing, wait, frame => console.Write(new Text(frame.Text, StyleOf(frame.Style))), cancellationToken).ConfigureAwait(false);
    }

    public static async Task PlayAsync(IReadOnlyList<TranscriptFrame> frames, ReplayTiming timing, bool wait, TextWriter output, CancellationToken cancellationToken)
    {
        await PlayAsync(frames, timing, wait, frame => output.Write(frame.Text), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task PlayAsync(IReadOnlyList<TranscriptFrame> frames, ReplayTiming timing, bool wait, Action<TranscriptFrame> show, CancellationToken cancellationToken)
    {
        var schedule = timing.Schedule(frames);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < frames.Count; i++)
        {
            if (wait && schedule[i] > started.Elapsed)
                await Task.Delay(schedule[i] - started.Elapsed, cancellationToken).ConfigureAwait(false);
            show(frames[i]);
        }
    }

    private static Style StyleOf(TranscriptStyle style) => style switch
    {
        TranscriptStyle.Error => new Style(Color.Red),
        TranscriptStyle.Note => new Style(decoration: Decoration.Dim),
        TranscriptStyle.Input => new Style(decoration: Decoration.Bold),
        _ => Style.Plain,
    };
}
