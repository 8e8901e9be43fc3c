namespace MusicRnn.Experiments;

/// <summary>
/// A bench output folder as a whole (docs/ARCHITECTURE.md, "Experiments"): results.json, table.md, the figures,
/// samples/ and report.html. <c>bench</c> writes one after training; <c>report DIR…</c> merges
/// several into a new one.
/// </summary>
public static class ResultsFolder
{
    /// <summary>The sub-folder samples live in, relative to the results folder.</summary>
    public const string SamplesFolder = "samples";

    /// <summary>The relative path a model's sample is expected at: "samples/&lt;name&gt;.wav".</summary>
    public static string SamplePath(string modelName) => $"{SamplesFolder}/{modelName}.wav";

    /// <summary>The relative path of a model's sample's spectrogram: "samples/&lt;name&gt;.png".</summary>
    public static string SpectrogramPath(string modelName) => $"{SamplesFolder}/{modelName}.png";

    /// <summary>The relative path of the training excerpt's spectrogram (no model is named so: names are architecture-layers).</summary>
    public const string ExcerptPath = $"{SamplesFolder}/training-excerpt.png";

    /// <summary>
    /// Writes results.json, table.md, the figures and report.html into <paramref name="folder"/>.
    /// Samples are the caller's: they must already be where each model's <see cref="ModelResult.Sample"/> says.
    /// Returns the files written, relative to the folder.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(BenchResults results, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        results.Save(Path.Combine(folder, BenchResults.FileName));
        TableWriter.Write(results, Path.Combine(folder, TableWriter.FileName));
        var figures = Plots.WriteAll(results, folder);
        ReportWriter.Write(results, Path.Combine(folder, ReportWriter.FileName));
        return [BenchResults.FileName, TableWriter.FileName, .. figures, ReportWriter.FileName];
    }

    /// <summary>
    /// Merges the results folders <paramref name="folders"/> (see <see cref="BenchResults.Merge"/>),
    /// copies each model's sample and spectrogram, and the training excerpt's, into
    /// <paramref name="outFolder"/>/samples and writes the merged report there. Throws an
    /// <see cref="InputException"/> naming the folder or file at fault: unreadable results,
    /// differing settings, a model twice, or a listed sample or picture that is missing.
    /// </summary>
    public static BenchResults Merge(IEnumerable<string> folders, string outFolder)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var parts = folders.Select(BenchResults.Load).ToList();
        var merged = BenchResults.Merge(parts);

        // Each sample is found beside the results.json that lists it and lands under the
        // merged folder's samples/ by file name alone, so a crafted path cannot write elsewhere.
        Directory.CreateDirectory(Path.Combine(outFolder, SamplesFolder));
        var sourceOf = parts.SelectMany(p => p.Models.Select(m => (m.Name, Folder: Path.GetDirectoryName(Path.GetFullPath(p.Source!))!)))
            .ToDictionary(x => x.Name, x => x.Folder, StringComparer.Ordinal);
        var models = new List<ModelResult>();
        foreach (var m in merged.Models)
            models.Add(m with
            {
                Sample = CopySample(sourceOf[m.Name], m.Sample, outFolder, $"sample of model {m.Name}"),
                Spectrogram = CopySample(sourceOf[m.Name], m.Spectrogram, outFolder, $"spectrogram of model {m.Name}"),
            });
        var reference = merged.Reference;
        if (reference?.Excerpt is { } excerpt)
        {
            // The first part with a reference gave it (BenchResults.Merge).
            var from = parts.First(p => p.Reference is not null);
            reference = reference with { Excerpt = CopySample(Path.GetDirectoryName(Path.GetFullPath(from.Source!))!, excerpt, outFolder, "training excerpt's spectrogram") };
        }

        merged = merged with { Models = models, Reference = reference };
        WriteAll(merged, outFolder);
        return merged;
    }

    /// <summary>Copies a file a results.json lists (relative to <paramref name="sourceFolder"/>) under the merged folder's samples/; its new relative path.</summary>
    private static string? CopySample(string sourceFolder, string? listed, string outFolder, string what)
    {
        if (listed is null) return null;
        string from = Path.GetFullPath(Path.Combine(sourceFolder, listed));
        string relative = $"{SamplesFolder}/{Path.GetFileName(listed.Replace('\\', '/'))}";
        string to = Path.GetFullPath(Path.Combine(outFolder, relative));
        if (!File.Exists(from))
            throw InputException.ForFile(from, $"{what} is listed in {BenchResults.FileName} but missing");
        if (from != to)
            File.Copy(from, to, overwrite: true);
        return relative;
    }
}
