using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gateway.Host.Backtest;

/// <summary>
/// Prints a <see cref="BacktestReport"/>: one table row per change (recorded → new decision, count, the distinct
/// commands), new denials first and marked, then a summary line and the commands that could not be judged.
/// </summary>
internal static class BacktestReportView
{
    /// <summary>Command texts are shown on one line, cut to this many characters.</summary>
    private const int MaxShownTextLength = 160;

    public static void Write(IAnsiConsole console, BacktestReport report, string scope)
    {
        if (report.Changes.Count > 0)
        {
            var table = new Table().AddColumns("Recorded", "New", "Count", "Commands (redacted)");
            table.Columns[2].RightAligned();
            foreach (var change in report.Changes)
                table.AddRow(Decision(change.Recorded, null), Decision(change.New, change), Count(change.Count), Texts(change));
            console.Write(table);
        }

        var summary = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"rules test: {Plural(report.Judged, "command")} judged again ({scope}); ")
            .Append(report.Changed == 0
                ? "no decision changes"
                : $"{Plural(report.Changed, "decision")} would change in {Plural(report.Changes.Count, "group")}: "
                  + $"{report.NewDenials} newly blocked, {report.NewAllowances} newly let through, "
                  + $"{report.Changed - report.NewDenials - report.NewAllowances} otherwise changed");
        console.WriteLine(summary.ToString());
        if (report.SkippedTotal > 0)
        {
            var reasons = string.Join(", ", report.Skipped.OrderByDescending(s => s.Value).Select(s => $"{s.Value} {s.Key}"));
            console.WriteLine($"rules test: {Plural(report.SkippedTotal, "command")} not judged: {reasons}");
        }
    }

    private static IRenderable Decision(RecordedDecision decision, DecisionChange? change)
    {
        var text = $"{decision.Action} ({decision.RuleId})";
        if (change?.IsNewDenial == true)
            return new Markup($"[red]{Markup.Escape(text)}[/] [bold red]NEW DENIAL[/]");
        if (change?.IsNewAllowance == true)
            return new Markup($"[yellow]{Markup.Escape(text)}[/] [bold yellow]NOW RUNS[/]");
        return new Text(text);
    }

    private static Text Count(int count) => new(count.ToString(CultureInfo.InvariantCulture));

    private static Text Texts(DecisionChange change)
    {
        var lines = new StringBuilder();
        foreach (var (text, count) in change.Commands)
        {
            if (lines.Length > 0)
                lines.Append('\n');
            lines.Append(CultureInfo.InvariantCulture, $"{count}× {OneLine(text)}");
        }
        if (change.UnlistedCommands > 0)
            lines.Append(CultureInfo.InvariantCulture, $"\n… {Plural(change.UnlistedCommands, "more command")}");
        return new Text(lines.ToString());
    }

    /// <summary>Whitespace runs (newlines included) become one space, so a command is one table line.</summary>
    internal static string OneLine(string text)
    {
        var line = new StringBuilder(Math.Min(text.Length, MaxShownTextLength + 1));
        var space = false;
        foreach (var c in text.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = true;
                continue;
            }
            if (space)
                line.Append(' ');
            space = false;
            line.Append(c);
            if (line.Length > MaxShownTextLength)
                return line.ToString(0, MaxShownTextLength) + "…";
        }
        return line.ToString();
    }

    private static string Plural(int count, string noun) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");
}
