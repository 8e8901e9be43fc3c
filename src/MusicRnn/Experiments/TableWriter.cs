using System.Text;

namespace MusicRnn.Experiments;

/// <summary>
/// Writes a bench run's table.md: the essay's Table 1 layout (seconds for the epochs, by
/// architecture and depth; the essay's own figures beside ours for the essay presets) and a
/// second table with each model's parameters, speed and final errors; and, where samples were
/// measured, their musical metrics beside the song's.
/// </summary>
public static class TableWriter
{
    /// <summary>The file name a bench run writes its table under.</summary>
    public const string FileName = "table.md";

    /// <summary>Writes <see cref="Render"/> to <paramref name="path"/>.</summary>
    public static void Write(BenchResults results, string path) =>
        File.WriteAllText(path, Render(results));

    /// <summary>The Markdown text of table.md.</summary>
    public static string Render(BenchResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = results.Settings;
        var md = new StringBuilder();
        md.Append($"# MusicRnn bench: preset {Escape(results.Preset)}\n\n");
        md.Append($"Song {Escape(s.Audio)}, codec {Escape(s.Codec)} ({s.FrameSize}-sample frames at {s.SampleRate} Hz), ")
          .Append($"window {s.Window}, stride {s.Stride}, batch {s.Batch}, {Escape(s.Optimizer)} lr {s.LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, ")
          .Append($"objective {Escape(s.Objective)}, seed {s.Seed}.\n\n");

        md.Append($"## Seconds for {s.Epochs} epoch{(s.Epochs == 1 ? "" : "s")} of training\n\n");
        md.Append($"Measured on {Escape(ResultsTables.Hardware(results))}.");
        if (ResultsTables.ShowsEssayFigures(results))
            md.Append(" The essay's columns are its Table 1: 5 epochs on a GTX 960M GPU with Theano.");
        md.Append("\n\n");
        AppendTable(md, ResultsTables.TrainingTime(results));

        md.Append("\n## Models\n\n");
        if (ResultsTables.BaselineSentence(results) is { } baselines) md.Append(Escape(baselines)).Append("\n\n");
        AppendTable(md, ResultsTables.PerModel(results));

        if (ResultsTables.HasMusic(results))
        {
            md.Append("\n## Does it sound like the song?\n\n").Append(Escape(ResultsTables.MusicSentence(results))).Append("\n\n");
            AppendTable(md, ResultsTables.Music(results));
        }
        return md.ToString();
    }

    private static void AppendTable(StringBuilder md, TextTable table)
    {
        md.Append("| ").AppendJoin(" | ", table.Header.Select(Escape)).Append(" |\n");
        md.Append('|').AppendJoin("|", table.RightAligned.Select(r => r ? "--:" : ":--")).Append("|\n");
        foreach (var row in table.Rows)
            md.Append("| ").AppendJoin(" | ", row.Select(Escape)).Append(" |\n");
    }

    // A pipe would end a cell early and a newline the row; the rest of Markdown in a name is harmless.
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
