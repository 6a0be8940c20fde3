using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Host.Replay;

/// <summary>
/// Writes a transcript as an asciinema v2 recording (https://docs.asciinema.org/manual/asciicast/v2/): a header
/// line <c>{"version":2,"width":W,"height":H,"timestamp":T,"env":{...}}</c>, then one
/// <c>[time, "o", text]</c> event per frame, with terminal line endings (<c>\r\n</c>).
/// </summary>
public static class AsciicastWriter
{
    private const int Height = 24;

    public static async Task WriteAsync(Stream output, SessionRecording recording, IReadOnlyList<TranscriptFrame> frames, ReplayTiming timing, CancellationToken cancellationToken)
    {
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var schedule = timing.Schedule(frames);
        var width = Math.Clamp(frames.SelectMany(f => f.Text.Split('\n')).Select(l => l.Length).DefaultIfEmpty(0).Max(), 80, 240);

        await using (var header = new Utf8JsonWriter(output, options))
        {
            header.WriteStartObject();
            header.WriteNumber("version", 2);
            header.WriteNumber("width", width);
            header.WriteNumber("height", Height);
            header.WriteNumber("timestamp", recording.Summary.Start.ToUnixTimeSeconds());
            header.WriteString("title", $"gateway session {recording.Summary.SessionId} ({recording.Summary.Subject ?? "?"})");
            header.WriteStartObject("env");
            header.WriteString("SHELL", "/bin/sh");
            header.WriteString("TERM", "xterm-256color");
            header.WriteEndObject();
            header.WriteEndObject();
        }
        output.WriteByte((byte)'\n');

        for (var i = 0; i < frames.Count; i++)
        {
            await using (var line = new Utf8JsonWriter(output, options))
            {
                line.WriteStartArray();
                line.WriteNumberValue(Math.Round(schedule[i].TotalSeconds, 6));
                line.WriteStringValue("o");
                line.WriteStringValue(frames[i].Text.Replace("\n", "\r\n", StringComparison.Ordinal));
                line.WriteEndArray();
            }
            output.WriteByte((byte)'\n');
        }
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
