using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MusicRnn.Experiments;
using Xunit.Abstractions;

namespace MusicRnn.Tests.Experiments;

/// <summary>
/// A fact that needs Debian's chromium. Without it the test is skipped on a developer's machine
/// but fails under CI (CI=true), where .ci/run installs chromium and its absence is a bug.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Find() is null && !Chromium.InCi)
            Skip = "chromium is not installed (with CI=true this fails instead)";
    }
}

/// <summary>Finds and runs headless chromium with a fresh profile and everything network-related off.</summary>
internal static class Chromium
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => new[] { "chromium", "chromium-browser" }.Select(n => Path.Combine(dir, n)))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs chromium with <paramref name="args"/> after the fixed headless ones; returns (exit code, stdout, stderr).</summary>
    public static (int Exit, string Out, string Err) Run(IEnumerable<string> args, TimeSpan timeout)
    {
        string exe = Find() ?? throw new InvalidOperationException("chromium is not installed; .ci/run installs Debian's chromium package");
        string profile = Path.Combine(Path.GetTempPath(), "musicrnn-chromium-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(profile);
        try
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--mute-audio", $"--user-data-dir={profile}",
            }.Concat(args))
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within {timeout.TotalSeconds} s: {string.Join(' ', psi.ArgumentList)}");
            }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); }
            catch (IOException) { /* chromium's helpers may still hold a file; temp is cleaned by the OS */ }
        }
    }
}

public sealed partial class ReportChromiumTests(ITestOutputHelper output)
{
    [GeneratedRegex("""<pre id="verdict">(.*?)</pre>""", RegexOptions.Singleline)]
    private static partial Regex Verdict();

    /// <summary>
    /// Checks run inside the browser against the real report.html, loaded in a same-folder iframe
    /// (file:// pages may read each other with --allow-file-access-from-files). The verdict is
    /// written into the harness's DOM, which --dump-dom prints once virtual time runs out.
    /// </summary>
    private const string Harness = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>report check</title></head>
        <body>
        <pre id="verdict">pending</pre>
        <iframe id="report" src="report.html" width="1280" height="1200"></iframe>
        <script>
        const verdict = { errors: [], images: [], audios: [], modelRows: -1, timeRows: -1 };
        window.addEventListener('error', e => verdict.errors.push('harness: ' + e.message));
        function settle(audio) {
          // A source that exists yields metadata; a missing or undecodable one fires error.
          return new Promise(resolve => {
            const done = ok => resolve({ src: audio.getAttribute('src'), ok, duration: audio.duration, code: audio.error ? audio.error.code : 0 });
            if (audio.readyState >= 1) return done(true);
            if (audio.error) return done(false);
            audio.addEventListener('loadedmetadata', () => done(true), { once: true });
            audio.addEventListener('error', () => done(false), { once: true });
            audio.load();
          });
        }
        document.getElementById('report').addEventListener('load', async () => {
          try {
            const doc = document.getElementById('report').contentDocument;
            doc.defaultView.addEventListener('error', e => verdict.errors.push('report: ' + e.message));
            verdict.title = doc.title;
            verdict.images = [...doc.images].map(i => ({ src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth, height: i.naturalHeight }));
            verdict.modelRows = doc.querySelectorAll('#models tbody tr').length;
            verdict.timeRows = doc.querySelectorAll('#time tbody tr').length;
            verdict.musicRows = doc.querySelectorAll('#music tbody tr').length;
            verdict.scripts = doc.scripts.length;
            verdict.external = [...doc.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href')).filter(u => /^[a-z]+:/i.test(u));
            verdict.audios = await Promise.all([...doc.querySelectorAll('audio')].map(settle));
          } catch (e) {
            verdict.errors.push('check: ' + e);
          }
          document.getElementById('verdict').textContent = JSON.stringify(verdict);
        });
        </script>
        </body></html>
        """;

    private static string OutputFolder(string name)
    {
        // Under the test output, kept after the run, so a person can open the page and the screenshot.
        string dir = Path.Combine(AppContext.BaseDirectory, "test-output", name);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [ChromiumFact]
    public void Should_load_the_report_in_a_real_browser_with_every_image_sample_and_row()
    {
        // Given a complete bench folder: a 4 × 2 grid with spectrograms and musical metrics, one sample missing on purpose from the results
        string dir = OutputFolder("report-chromium");
        var grid = BenchFakes.Grid(BenchFakes.Archs, [1, 2], dir);
        grid = grid with { Models = [.. grid.Models.Select(m => m.Name == "cwrnn-2" ? m with { Sample = null } : m)] };
        ResultsFolder.WriteAll(grid, dir);
        File.WriteAllText(Path.Combine(dir, "check.html"), Harness);

        // When chromium loads the harness (and so the report) and prints the DOM after virtual time runs out
        var (exit, dom, log) = Chromium.Run(
            ["--allow-file-access-from-files", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
             "--run-all-compositor-stages-before-draw", "--dump-dom", new Uri(Path.Combine(dir, "check.html")).AbsoluteUri],
            TimeSpan.FromSeconds(90));

        // Then the verdict shows a page with no errors, every image decoded at the size it was drawn,
        // one playable audio element per sample, and one table row per model and per architecture
        var match = Verdict().Match(dom);
        Assert.True(exit == 0 && match.Success, $"chromium exit {exit}\nstdout:\n{dom}\nstderr:\n{log}");
        string json = WebUtility.HtmlDecode(match.Groups[1].Value);
        output.WriteLine(json);
        using var verdict = JsonDocument.Parse(json);
        var v = verdict.RootElement;
        Assert.Equal(0, v.GetProperty("errors").GetArrayLength());
        Assert.Equal("MusicRnn bench: preset quick", v.GetProperty("title").GetString());
        Assert.Equal(0, v.GetProperty("scripts").GetInt32());
        Assert.Equal(0, v.GetProperty("external").GetArrayLength());

        // The figures, then per sample its spectrogram beside the training excerpt's, each decoded at the size it was drawn
        var images = v.GetProperty("images").EnumerateArray().ToList();
        var withSample = grid.Models.Where(m => m.Sample is not null).Order(ModelOrder.Instance).ToList();
        string[] figures = ["loss-1layer.png", "loss-2layer.png", "time.png", Plots.TimbreFileName];
        Assert.Equal([.. figures, .. withSample.SelectMany(m => new[] { m.Spectrogram!, ResultsFolder.ExcerptPath })],
            images.Select(i => i.GetProperty("src").GetString()));
        Assert.All(images, i => Assert.True(i.GetProperty("complete").GetBoolean(), $"{i} did not load"));
        Assert.All(images, i => Assert.Equal(
            figures.Contains(i.GetProperty("src").GetString()) ? (Plots.Width, Plots.Height) : (ReportWriter.SpectrogramWidth, ReportWriter.SpectrogramHeight),
            (i.GetProperty("width").GetInt32(), i.GetProperty("height").GetInt32())));

        var audios = v.GetProperty("audios").EnumerateArray().ToList();
        var expected = grid.Models.Where(m => m.Sample is not null).Order(ModelOrder.Instance).Select(m => m.Sample).ToList();
        Assert.Equal(expected, audios.Select(a => a.GetProperty("src").GetString()));
        Assert.All(audios, a => Assert.True(a.GetProperty("ok").GetBoolean(), $"{a} did not load"));
        // The samples are half a second long; the browser decoded the real files, not just their names.
        Assert.All(audios, a => Assert.Equal(0.5, a.GetProperty("duration").GetDouble(), 2));

        Assert.Equal(grid.Models.Count, v.GetProperty("modelRows").GetInt32());
        Assert.Equal(BenchFakes.Archs.Length, v.GetProperty("timeRows").GetInt32());
        // One row of musical metrics per measured model, then the song's three reference rows
        Assert.Equal(grid.Models.Count + 3, v.GetProperty("musicRows").GetInt32());

        // And chromium logged no console message about the report (a failed load would be one)
        var consoleLines = log.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal)).ToList();
        Assert.True(consoleLines.Count == 0, string.Join('\n', consoleLines));
    }

    [ChromiumFact]
    public void Should_notice_a_missing_sample_and_a_missing_figure()
    {
        // Given a report whose time figure and one sample were deleted after writing
        string dir = OutputFolder("report-chromium-broken");
        var grid = BenchFakes.Grid(["lstm", "gru"], [1], dir);
        ResultsFolder.WriteAll(grid, dir);
        File.Delete(Path.Combine(dir, Plots.TimeFileName));
        File.Delete(Path.Combine(dir, "samples", "gru-1.wav"));
        File.WriteAllText(Path.Combine(dir, "check.html"), Harness);

        // When chromium checks it
        var (_, dom, log) = Chromium.Run(
            ["--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom", new Uri(Path.Combine(dir, "check.html")).AbsoluteUri],
            TimeSpan.FromSeconds(90));

        // Then the harness reports the broken image and the unplayable sample, so the real test can fail
        var match = Verdict().Match(dom);
        Assert.True(match.Success, $"stdout:\n{dom}\nstderr:\n{log}");
        using var verdict = JsonDocument.Parse(WebUtility.HtmlDecode(match.Groups[1].Value));
        var images = verdict.RootElement.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(0, images.Single(i => i.GetProperty("src").GetString() == Plots.TimeFileName).GetProperty("width").GetInt32());
        var audios = verdict.RootElement.GetProperty("audios").EnumerateArray().ToList();
        Assert.False(audios.Single(a => a.GetProperty("src").GetString() == "samples/gru-1.wav").GetProperty("ok").GetBoolean());
        Assert.True(audios.Single(a => a.GetProperty("src").GetString() == "samples/lstm-1.wav").GetProperty("ok").GetBoolean());
    }

    [ChromiumFact]
    public void Should_save_a_screenshot_of_the_report()
    {
        // Given a full 4 × 3 essay-preset report (the widest table)
        string dir = OutputFolder("report-screenshot");
        ResultsFolder.WriteAll(BenchFakes.Grid(BenchFakes.Archs, [1, 2, 3], dir, preset: "essay"), dir);
        string shot = Path.Combine(dir, "screenshot.png");

        // When chromium renders it to a 1280 × 2000 screenshot
        var (exit, stdout, log) = Chromium.Run(
            [$"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", "--virtual-time-budget=5000",
             new Uri(Path.Combine(dir, ReportWriter.FileName)).AbsoluteUri],
            TimeSpan.FromSeconds(90));

        // Then the screenshot is a PNG of that size, kept under the test output for a person to look at
        Assert.True(exit == 0 && File.Exists(shot), $"chromium exit {exit}\n{stdout}\n{log}");
        Assert.Equal((1280, 2000), BenchFakes.PngSize(shot));
        output.WriteLine($"screenshot: {shot}");
    }
}
