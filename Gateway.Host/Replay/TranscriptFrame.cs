namespace Gateway.Host.Replay;

/// <summary>How a piece of the transcript is shown on a terminal.</summary>
public enum TranscriptStyle
{
    /// <summary>Lines the gateway adds to say what is being replayed (session header, end).</summary>
    Note,

    /// <summary>The prompt and the command the client sent.</summary>
    Input,

    /// <summary>What the client was shown: results, command tags.</summary>
    Output,

    /// <summary>Errors and denials the client was shown.</summary>
    Error,
}

/// <summary>Text the client saw (or a replay note), at its offset from the session start.</summary>
public sealed record TranscriptFrame(TimeSpan At, string Text, TranscriptStyle Style);
