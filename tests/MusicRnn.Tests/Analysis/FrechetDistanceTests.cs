using MusicRnn.Analysis;
using Xunit.Abstractions;
using static MusicRnn.Tests.Analysis.AnalysisTestKit;

namespace MusicRnn.Tests.Analysis;

public sealed class FrechetDistanceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(1.5, 2.0, -0.5, 0.5)]
    [InlineData(-3.0, 0.1, 4.0, 3.0)]
    public void Should_equal_the_one_dimensional_formula(double mean1, double sigma1, double mean2, double sigma2)
    {
        // Given two 1-D Gaussians
        var a = GaussianFit.FromMoments([mean1], new[,] { { sigma1 * sigma1 } });
        var b = GaussianFit.FromMoments([mean2], new[,] { { sigma2 * sigma2 } });

        // Then FD = (μ1 − μ2)² + σ1² + σ2² − 2σ1σ2 = (μ1 − μ2)² + (σ1 − σ2)²
        var expected = Math.Pow(mean1 - mean2, 2) + Math.Pow(sigma1 - sigma2, 2);
        Assert.Equal(expected, FrechetDistance.Between(a, b), 12);
    }

    [Fact]
    public void Should_equal_a_hand_computed_case_of_covariances_that_do_not_commute()
    {
        // Given Σ1 = diag(4, 1) and Σ2 = [[2, 1], [1, 2]], equal means
        var a = GaussianFit.FromMoments([1, 2], new double[,] { { 4, 0 }, { 0, 1 } });
        var b = GaussianFit.FromMoments([1, 2], new double[,] { { 2, 1 }, { 1, 2 } });

        // Then: Σ1^½ = diag(2, 1), Σ1^½ Σ2 Σ1^½ = [[8, 2], [2, 2]] with eigenvalues 5 ± √13, whose square
        // roots sum to √(10 + 2√12) = √(10 + 4√3); FD = tr Σ1 + tr Σ2 − 2√(10 + 4√3) = 9 − 2√(10 + 4√3)
        var expected = 9 - (2 * Math.Sqrt(10 + (4 * Math.Sqrt(3))));
        Assert.Equal(expected, FrechetDistance.Between(a, b), 12);
        // And the distance is symmetric although the formula's form is not
        Assert.Equal(expected, FrechetDistance.Between(b, a), 12);
    }

    [Fact]
    public void Should_be_zero_for_identical_audio()
    {
        // Given the log-mel frames of the synthesized track and of the real excerpt
        foreach (var (name, audio) in new[] { ("synthesized", Track(120, seed: 0, seconds: 8)), ("real excerpt", Excerpt()) })
        {
            var frames = LogMelAnalyzer.Compute(audio, Rate);

            // When each is compared with a second fit of the same frames
            var distance = FrechetDistance.Between(GaussianFit.Of(frames), GaussianFit.Of(frames));

            // Then the distance is 0 to 1e-9 dB², though the covariance of 126 frames of 64 bands is
            // nearly singular (the trace of the covariance is thousands of dB²)
            output.WriteLine($"{name}: FD to itself {distance:E2} dB²");
            Assert.InRange(distance, 0, 1e-9);
        }
    }

    [Fact]
    public void Should_find_the_halves_of_a_song_closer_than_noise_is_to_the_song()
    {
        // Given the synthesized track and the real excerpt
        foreach (var (name, audio) in new[] { ("synthesized", Track(120, seed: 1, seconds: 12)), ("real excerpt", Excerpt()) })
        {
            var half = audio.Length / 2;
            var first = GaussianFit.Of(LogMelAnalyzer.Compute(audio.AsSpan(0, half), Rate));
            var second = GaussianFit.Of(LogMelAnalyzer.Compute(audio.AsSpan(half), Rate));
            var song = GaussianFit.Of(LogMelAnalyzer.Compute(audio, Rate));
            var noise = GaussianFit.Of(LogMelAnalyzer.Compute(Noise(audio.Length, Rms(audio), seed: 7), Rate));

            // When the halves are compared, and white noise of the song's length and RMS with the song
            var halves = FrechetDistance.Between(first, second);
            var noiseToSong = FrechetDistance.Between(noise, song);

            // Then the halves are many times closer
            output.WriteLine($"{name}: halves {halves:F1} dB², noise to song {noiseToSong:F1} dB²");
            Assert.True(halves * 5 < noiseToSong, $"halves {halves}, noise {noiseToSong}");
        }
    }

    [Fact]
    public void Should_fit_mean_and_covariance_as_a_two_pass_computation_does_far_from_zero()
    {
        // Given 500 frames of 3 values around 1e4 with unit spread, given in uneven blocks
        var random = new Random(8);
        var values = Enumerable.Range(0, 1500).Select(i => (float)(10000 + ((i % 3) * 5) + Noise(1, 1, random.Next())[0])).ToArray();
        var fit = new GaussianFit(3);
        fit.Add(new LogMelFrames(values[..300], 3));
        fit.Add(new LogMelFrames(values[300..], 3));

        // When computed directly in two passes
        var mean = Enumerable.Range(0, 3).Select(d => Enumerable.Range(0, 500).Average(t => (double)values[(t * 3) + d])).ToArray();
        double Cov(int i, int j) => Enumerable.Range(0, 500).Sum(t => (values[(t * 3) + i] - mean[i]) * (values[(t * 3) + j] - mean[j])) / 499;

        // Then both agree (the shifted sums lose nothing to the offset of 1e4)
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(mean[i], fit.Mean[i], 9);
            for (var j = 0; j < 3; j++) Assert.Equal(Cov(i, j), fit.Covariance[i, j], 9);
        }
    }

    [Fact]
    public void Should_refuse_a_fit_of_fewer_than_two_frames()
    {
        var one = GaussianFit.Of(new LogMelFrames(new float[4], 4));
        var many = GaussianFit.Of(new LogMelFrames(Noise(40, 1, seed: 9), 4));
        Assert.Throws<ArgumentException>(() => FrechetDistance.Between(one, many));
    }
}
