namespace Gateway.Core.FrameLog;

/// <summary>Where the chain breaks: the file and line, the record's Seq when it could be read, and what is wrong.</summary>
public sealed record FrameLogProblem(string File, int Line, long? Seq, string What)
{
    public override string ToString() => Seq is { } seq ? $"{File}:{Line} (Seq {seq}): {What}" : $"{File}:{Line}: {What}";
}

/// <summary>The outcome of <see cref="FrameLogVerifier.VerifyAsync"/>.</summary>
public sealed record FrameLogVerification(
    long Records,
    int Segments,
    int Checkpoints,
    long FirstSeq,
    long LastSeq,
    string HeadHash,
    FrameLogProblem? Problem,
    IReadOnlyList<string> Notes)
{
    /// <summary>No problem found: every record chains, Seq is gapless, every checkpoint signature holds.</summary>
    public bool Intact => Problem is null;
}
