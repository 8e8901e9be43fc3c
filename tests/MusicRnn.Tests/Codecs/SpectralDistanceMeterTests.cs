using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

public sealed class SpectralDistanceMeterTests
{
    [Fact]
    public void Should_give_zero_for_an_exact_copy()
    {
        // Given a signal and its exact copy
        var x = TestSignals.Chord(10_000, seed: 1);

        // When measured
        var (sc, lsd) = TestSignals.SpectralDistance(x, x);

        // Then both distances are zero
        Assert.Equal(0, sc);
        Assert.Equal(0, lsd);
    }

    [Fact]
    public void Should_give_one_half_and_six_decibels_for_a_copy_at_half_amplitude()
    {
        // Given loud noise and the same noise at half its amplitude
        var x = TestSignals.WhiteNoise(20_000, seed: 2);
        var half = x.Select(v => v / 2).ToArray();

        // When measured
        var (sc, lsd) = TestSignals.SpectralDistance(x, half);

        // Then |S| − |Ŝ| = |S|/2 gives SC = 1/2 exactly, and a bin far above δ differs by 20 log10 2 = 6.02 dB
        // (a bin near δ by less: (|S| + δ)/(|S|/2 + δ) < 2, which the few quiet bins of noise pull down to about 6.00)
        Assert.Equal(0.5, sc, 9);
        Assert.InRange(lsd, (20 * Math.Log10(2)) - 0.05, 20 * Math.Log10(2));
    }

    [Fact]
    public void Should_measure_over_blocks_as_over_the_whole_signal()
    {
        // Given a signal and a distorted copy, measured in uneven blocks and at once
        var x = TestSignals.Chord(30_000, seed: 3);
        var y = x.Select((v, i) => v + (0.05f * MathF.Sin(i * 0.7f))).ToArray();
        var meter = new SpectralDistanceMeter();
        var random = new Random(5);
        for (int at = 0; at < x.Length;)
        {
            var n = Math.Min(x.Length - at, random.Next(1, 3000));
            meter.Add(x.AsSpan(at, n), y.AsSpan(at, n));
            at += n;
        }
        meter.Finish();
        var whole = TestSignals.SpectralDistance(x, y);

        // Then the figures agree (the same frames, summed in a different grouping), over ⌈L/H⌉ frames
        Assert.Equal(whole.Convergence, meter.SpectralConvergence, 9);
        Assert.Equal(whole.DistanceDb, meter.LogSpectralDistanceDb, 9);
        Assert.Equal((30_000 + 255) / 256, meter.Frames);
        Assert.Equal(30_000, meter.Count);
    }

    [Fact]
    public void Should_tell_silence_from_sound()
    {
        // Given silence against silence, sound against silence and silence against sound
        var silence = new float[5000];
        var sound = TestSignals.WhiteNoise(5000, seed: 4);

        // When measured
        // Then two silences are at distance 0, losing everything is SC 1, adding sound to silence is infinitely far
        Assert.Equal(0, TestSignals.SpectralDistance(silence, silence).Convergence);
        Assert.Equal(1, TestSignals.SpectralDistance(sound, silence).Convergence, 9);
        Assert.Equal(double.PositiveInfinity, TestSignals.SpectralDistance(silence, sound).Convergence);
    }

    [Fact]
    public void Should_refuse_blocks_of_different_lengths()
    {
        // Given blocks that do not match
        var meter = new SpectralDistanceMeter();

        // When added, then it is an argument error
        Assert.Throws<ArgumentException>(() => meter.Add(new float[10], new float[11]));
    }
}
