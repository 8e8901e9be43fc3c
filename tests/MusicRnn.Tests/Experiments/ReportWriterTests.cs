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

        // Then every src/href is a relative path: the figures and the samples, nothing from the network
        var refs = Reference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["loss-1layer.png", "loss-2layer.png", "time.png", "samples/lstm-1.wav", "samples/lstm-2.wav", "samples/gru-1.wav", "samples/gru-2.wav"], refs);
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
}
