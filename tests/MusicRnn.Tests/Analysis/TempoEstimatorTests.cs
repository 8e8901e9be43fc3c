using MusicRnn.Analysis;
using Xunit.Abstractions;
using static MusicRnn.Tests.Analysis.AnalysisTestKit;

namespace MusicRnn.Tests.Analysis;

public sealed class TempoEstimatorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(100, 0)]
    [InlineData(100, 1)]
    [InlineData(120, 0)]
    [InlineData(120, 2)]
    [InlineData(140, 0)]
    [InlineData(140, 3)]
    public void Should_read_the_tempo_of_a_synthesized_track_within_one_percent(double bpm, int seed)
    {
        // Given 12 s of the synthesized track (kick on every beat, snare on 2 and 4, hats on eighths or sixteenths)
        var audio = Track(bpm, seed, seconds: 12);

        // When its tempo is estimated
        var tempo = Estimate(audio);

        // Then it is the track's within 1 %, and clearly periodic
        Assert.NotNull(tempo);
        var error = (tempo.Bpm / bpm) - 1;
        output.WriteLine($"{bpm} BPM seed {seed}: {tempo.Bpm:F3} BPM (error {100 * error:+0.000;-0.000} %), periodicity {tempo.Periodicity:F3} ({tempo.View})");
        Assert.InRange(error, -0.01, 0.01);
        Assert.True(tempo.Periodicity > 0.8, $"periodicity {tempo.Periodicity}");
    }

    [Fact]
    public void Should_find_white_noise_barely_periodic()
    {
        // Given 10 s of white noise, five seeds
        for (var seed = 0; seed < 5; seed++)
        {
            // When its tempo is estimated
            var tempo = Estimate(Noise(10 * Rate, 0.1, seed));

            // Then the periodicity is what the best of ~60 correlations of 430 random values reaches (σ ≈ 0.05), below 0.2
            output.WriteLine($"noise seed {seed}: periodicity {tempo?.Periodicity:F3} at {tempo?.Bpm:F1} BPM");
            Assert.True(tempo is null || tempo.Periodicity < 0.2, $"periodicity {tempo?.Periodicity}");
        }
    }

    [Fact]
    public void Should_read_a_click_track_as_nearly_perfectly_periodic()
    {
        // Given 10 s of identical clicks (5 ms noise bursts) at 128 BPM, off the frame grid
        var audio = new float[10 * Rate];
        var burst = Noise(110, 0.8, seed: 6);
        var period = 60.0 * Rate / 128;
        for (var beat = 0; (int)(beat * period) + burst.Length < audio.Length; beat++)
            burst.CopyTo(audio, (int)Math.Round(beat * period));

        // When its tempo is estimated
        var tempo = Estimate(audio);

        // Then it is 128 BPM within 0.1 %, and the periodicity is near 1 (every beat's onsets alike; the
        // frame grid falls differently on each click, so not exactly 1)
        Assert.NotNull(tempo);
        output.WriteLine($"clicks at 128 BPM: {tempo.Bpm:F3} BPM, periodicity {tempo.Periodicity:F3}");
        Assert.InRange(tempo.Bpm, 127.87, 128.13);
        Assert.True(tempo.Periodicity > 0.9, $"periodicity {tempo.Periodicity}");
    }

    [Fact]
    public void Should_not_depend_on_how_loud_the_audio_is()
    {
        // Given a synthesized track and the same track 20 dB quieter
        var audio = Track(128, seed: 4, seconds: 10);
        var quiet = audio.Select(x => x * 0.1f).ToArray();

        // When both tempos are estimated
        var (loud, soft) = (Estimate(audio)!, Estimate(quiet)!);

        // Then they agree: correlation ignores the power view's scale, and differences ignore the dB view's offset
        output.WriteLine($"loud {loud.Bpm:F3} BPM ({loud.Periodicity:F4}), 20 dB quieter {soft.Bpm:F3} BPM ({soft.Periodicity:F4})");
        Assert.Equal(loud.Bpm, soft.Bpm, 1);
        Assert.Equal(loud.Periodicity, soft.Periodicity, 2);
    }

    [Fact]
    public void Should_correlate_a_periodic_sequence_perfectly_and_a_constant_one_not_at_all()
    {
        // Given a sequence of period 7 and a constant one
        var periodic = Enumerable.Range(0, 100).Select(i => (float)((i % 7) * (i % 7))).ToArray();
        var constant = Enumerable.Repeat(3f, 100).ToArray();

        // Then r(7) = 1, r(3) < 1, and a constant envelope has no correlation
        Assert.Equal(1, TempoEstimator.Correlation(periodic, 7), 12);
        Assert.True(TempoEstimator.Correlation(periodic, 3) < 0.5);
        Assert.Equal(0, TempoEstimator.Correlation(constant, 7));
    }

    [Fact]
    public void Should_report_nothing_for_audio_shorter_than_two_slow_beats()
    {
        // Given 1.5 s of the track (two beats at 60 BPM take 2 s)
        // Then there is no tempo rather than a guess
        Assert.Null(Estimate(Track(120, seed: 0, seconds: 1.5)));
    }

    private static TempoEstimate? Estimate(float[] audio) =>
        TempoEstimator.Estimate(OnsetEnvelope.Of(LogMelAnalyzer.Compute(audio, Rate)), LogMelSettings.Default.FramesPerSecond(Rate));
}
