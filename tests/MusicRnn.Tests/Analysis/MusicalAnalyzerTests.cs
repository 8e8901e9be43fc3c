using MusicRnn.Analysis;
using Xunit.Abstractions;
using static MusicRnn.Tests.Analysis.AnalysisTestKit;

namespace MusicRnn.Tests.Analysis;

public sealed class MusicalAnalyzerTests(ITestOutputHelper output)
{
    [Fact]
    public void Should_measure_the_same_whether_the_sample_comes_in_pieces_or_whole()
    {
        // Given a song (10 s of training, 2 s held out) and a sample that copies 3 s of it, loops a
        // 1.5-s phrase three times and ends in other music
        var song = Track(120, seed: 0, seconds: 12);
        var reference = MusicalReference.Create(song.AsSpan(0, 10 * Rate), song.AsSpan(10 * Rate), Rate);
        var phrase = Cut(Track(126, seed: 12, seconds: 4), Rate, (int)(1.5 * Rate));
        var sample = Join(Cut(Track(135, seed: 13, seconds: 3), 0, 2 * Rate), Cut(song, (3 * Rate) + 77, 3 * Rate), phrase, phrase, phrase, Cut(Track(90, seed: 14, seconds: 3), 0, 2 * Rate));

        // When measured whole, and in seeded pieces of 1 to 30000 samples
        var whole = MusicalAnalyzer.Measure(sample, reference);
        using var analyzer = new MusicalAnalyzer(reference);
        var random = new Random(15);
        for (var at = 0; at < sample.Length;)
        {
            var count = Math.Min(random.Next(1, 30000), sample.Length - at);
            analyzer.Add(sample.AsSpan(at, count));
            at += count;
        }
        var pieces = analyzer.Result();

        // Then every number is the same, and they say what the sample holds
        output.WriteLine($"whole: {whole}");
        Assert.Equal(whole.Frames, pieces.Frames);
        Assert.Equal(whole.CopiedSeconds, pieces.CopiedSeconds);
        Assert.Equal(whole.CopiedAtSeconds, pieces.CopiedAtSeconds);
        Assert.Equal(whole.LoopSeconds, pieces.LoopSeconds);
        Assert.Equal(whole.LoopPeriodSeconds, pieces.LoopPeriodSeconds);
        Assert.Equal(whole.StaticSeconds, pieces.StaticSeconds);
        Assert.Equal(whole.TempoBpm, pieces.TempoBpm);
        Assert.Equal(whole.Periodicity, pieces.Periodicity);
        Assert.Equal(whole.TimbreDistance, pieces.TimbreDistance);
        Assert.InRange(whole.CopiedSeconds, 2.95, 3.05);
        Assert.InRange(whole.CopiedFromSeconds!.Value, 2.95, 3.05);
        Assert.InRange(whole.LoopSeconds, 2.95, 3.05);
        Assert.InRange(whole.LoopPeriodSeconds!.Value, 1.49, 1.51);
        Assert.Equal((double)sample.Length / Rate, whole.DurationSeconds, 9);
    }

    [Fact]
    public void Should_score_the_held_out_audio_itself_at_zero_timbre_distance_and_noise_far()
    {
        // Given a song with its last 4 s held out
        var song = Track(128, seed: 16, seconds: 16);
        var heldOut = song.AsSpan(12 * Rate).ToArray();
        var reference = MusicalReference.Create(song.AsSpan(0, 12 * Rate), heldOut, Rate);

        // When the held-out audio itself, and white noise at its level, are measured as samples
        var perfect = MusicalAnalyzer.Measure(heldOut, reference);
        var noise = MusicalAnalyzer.Measure(Noise(heldOut.Length, Rms(heldOut), seed: 17), reference);

        // Then the held-out audio is at distance 0 with the held-out tempo; noise is far, copies nothing and has no beat
        output.WriteLine($"held-out as sample: FD {perfect.TimbreDistance:F6}, {perfect.TempoBpm:F2} BPM; noise: FD {noise.TimbreDistance:F1}, periodicity {noise.Periodicity:F3}, copied {noise.CopiedSeconds} s");
        Assert.Equal("held-out", perfect.TimbreReference);
        Assert.InRange(perfect.TimbreDistance!.Value, 0, 1e-9);
        Assert.Equal(reference.Points.HeldOutTempoBpm!.Value, perfect.TempoBpm!.Value, 9);
        Assert.InRange(perfect.TempoBpm.Value, 127, 129);
        Assert.True(noise.TimbreDistance > 10 * reference.Points.HalvesTimbreDistance, $"noise {noise.TimbreDistance}");
        Assert.Equal(0, noise.CopiedSeconds);
        Assert.True(noise.Periodicity < 0.3, $"periodicity {noise.Periodicity}");
    }

    [Theory]
    [InlineData("synthesized")]
    [InlineData("real excerpt")]
    public void Should_give_reference_points_that_order_the_song_against_noise(string name)
    {
        // Given a song: the synthesized track (12 s) or the real excerpt (3 s), its last fifth held out
        var song = name == "real excerpt" ? Excerpt() : Track(120, seed: 1, seconds: 12);
        var split = song.Length * 4 / 5;

        // When its reference points are made
        var points = MusicalReference.Create(song.AsSpan(0, split), song.AsSpan(split), Rate, noiseSeed: 3).Points;

        // Then the song's halves are far closer to each other than noise is to the song, and the
        // held-out part is nearer the training part than noise is
        output.WriteLine($"{name}: {points}");
        Assert.True(points.HalvesTimbreDistance * 5 < points.NoiseTimbreDistance, $"{points}");
        Assert.True(points.HeldOutTimbreDistance < points.NoiseTimbreDistance, $"{points}");
        Assert.True(points.MatchToleranceDb > 0 && points.SpreadDb > 0);
        // (the excerpt's 0.6 s held out is shorter than two beats at 60 BPM: no tempo rather than a guess)
        Assert.Equal(name == "synthesized", points.HeldOutTempoBpm is not null);
    }

    [Fact]
    public void Should_measure_timbre_against_the_training_audio_when_nothing_is_held_out()
    {
        // Given a song with nothing held out
        var song = Track(120, seed: 18, seconds: 8);
        var reference = MusicalReference.Create(song, [], Rate);

        // When the song itself is measured, then it is at distance 0 from the training audio, copied whole
        var metrics = MusicalAnalyzer.Measure(song, reference);
        Assert.Equal("training", metrics.TimbreReference);
        Assert.InRange(metrics.TimbreDistance!.Value, 0, 1e-9);
        Assert.InRange(metrics.CopiedSeconds, 7.9, 8);
        Assert.Null(reference.Points.HeldOutTimbreDistance);
        Assert.Null(reference.Points.HeldOutCopiedSeconds);
    }
}
