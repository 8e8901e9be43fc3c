using System.Text.RegularExpressions;
using MusicRnn.Experiments;

namespace MusicRnn.Tests.Experiments;

public sealed partial class ReportWriterTests
{
    [GeneratedRegex("""(?:src|href)="([^"]*)""")]
    private static partial Regex Reference();

    [Fact]
    public void Should_reference_only_files_beside_the_page()
    {
        // Given a grid with samples
        var grid = BenchFakes.Grid(["lstm", "gru"], [1, 2]);

        // When the page is rendered
        string html = ReportWriter.Render(grid);

        // Then every src/href is a relative path: the figures, the samples with their spectrograms beside the training excerpt's, nothing from the network
        var refs = Reference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["loss-1layer.png", "loss-2layer.png", "time.png", "timbre.png",
            .. new[] { "lstm-1", "lstm-2", "gru-1", "gru-2" }.SelectMany(m => (string[])[$"samples/{m}.wav", $"samples/{m}.png", "samples/training-excerpt.png"])], refs);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Should_escape_every_text_it_shows()
    {
        // Given a model name and a song name with markup in them
        var grid = BenchFakes.Grid(["lstm"], [1], settings: BenchFakes.Settings() with { Audio = "<b>loud</b> & clear.wav" });
        grid = grid with { Models = [grid.Models[0] with { Name = "<script>alert(1)</script>", Sample = "samples/a b#1.wav" }] };

        // When the page is rendered
        string html = ReportWriter.Render(grid);

        // Then the markup shows as text and the sample's URL is percent-encoded
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;loud&lt;/b&gt; &amp; clear.wav", html, StringComparison.Ordinal);
        Assert.Contains("src=\"samples/a%20b%231.wav\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_how_each_figure_was_obtained()
    {
        // Given a model measured on a particular device and machine
        var grid = BenchFakes.Grid(["gru"], [3]);
        grid = grid with { Models = [grid.Models[0] with { Provenance = grid.Models[0].Provenance with { Device = "cuda:1", Threads = 7, Version = "9.9.9+abc" } }] };

        // When the page is rendered
        string html = ReportWriter.Render(grid);

        // Then the device, threads, version and date appear in the provenance table
        string provenance = html[html.IndexOf("id=\"provenance\"", StringComparison.Ordinal)..];
        Assert.Contains("<td>cuda:1</td><td class=\"num\">7</td><td>9.9.9+abc</td><td>2026-11-25 23:09:00 UTC</td>", provenance, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_show_each_sample_s_metrics_and_the_song_s_reference_points()
    {
        // Given a grid whose samples were measured, and the song's reference points
        var grid = BenchFakes.Grid(["lstm", "gru"], [1]);

        // When the page is rendered
        string html = ReportWriter.Render(grid);

        // Then each sample's line carries its tempo, timbre distance (beside the song's halves and
        // noise), copies, loops, the longest static stretch, level and silence, and the table ends with the song's own rows
        Assert.Contains("tempo 119.0 BPM, periodicity 0.30 (the song's 120.1 BPM, 0.64) · timbre distance 115 dB² (the song's halves 18.2, noise 2875) · copies 0.10 s of training audio · loops 0.05 s · static 0.25 s · -15.0 dBFS RMS · silence 5 %", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        string music = html[html.IndexOf("id=\"music\"", StringComparison.Ordinal)..];
        Assert.Contains("<th scope=\"row\">lstm-1</th><td class=\"num\">119.0</td><td class=\"num\">0.30</td><td class=\"num\">115</td>", music, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">0.10</td><td class=\"num\">0.05</td><td class=\"num\">0.25</td><td class=\"num\">-15.0</td>", music, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">song: first half vs second half</th><td class=\"num\">120.1</td><td class=\"num\">0.64</td><td class=\"num\">18.2</td>", music, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">white noise vs the song</th><td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">2875</td>", music, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_render_results_without_musical_metrics_as_before()
    {
        // Given results of a version without musical metrics (no reference, no spectrograms)
        var grid = BenchFakes.Grid(["lstm"], [1]);
        grid = grid with { Reference = null, Models = [grid.Models[0] with { Music = null, Audio = null, Spectrogram = null }] };

        // When the page is rendered
        string html = ReportWriter.Render(grid);

        // Then it has the sample's player but no music section, spectrogram or timbre figure
        Assert.Contains("samples/lstm-1.wav", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"music\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(".png\" alt=\"Spectrogram", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Plots.TimbreFileName, html, StringComparison.Ordinal);
    }
}
