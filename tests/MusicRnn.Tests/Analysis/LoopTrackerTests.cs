using MusicRnn.Analysis;
using Xunit.Abstractions;
using static MusicRnn.Tests.Analysis.AnalysisTestKit;

namespace MusicRnn.Tests.Analysis;

public sealed class LoopTrackerTests(ITestOutputHelper output)
{
    private const double Hop = 512.0 / Rate;

    [Theory]
    [InlineData(2, 2.0)]
    [InlineData(3, 4.0)]
    public void Should_measure_a_repeated_phrase_at_its_repeated_length(int times, double repeatedSeconds)
    {
        // Given 3 s of music, a 2-s phrase of other music played `times` times, then 2 s more music
        // (2 s is 344.5 steps of 128 samples: the period falls between the fine frames)
        var music = Track(110, seed: 2, seconds: 5);
        var phrase = Cut(Track(120, seed: 3, seconds: 6), Rate, 2 * Rate);
        var sample = Join([Cut(music, 0, 3 * Rate), .. Enumerable.Repeat(phrase, times), Cut(music, 3 * Rate, 2 * Rate)]);

        // When tracked
        var loop = Loops(sample, scale: music);

        // Then the loop lasts the repeats after the first playing, repeats from 2 s back, and starts at the second playing
        output.WriteLine($"{times} × 2 s: loop {loop.Seconds:F3} s, period {loop.PeriodSeconds:F4} s, at {loop.StartSeconds:F3} s; static {loop.StaticSeconds:F3} s");
        Assert.InRange(loop.Seconds, repeatedSeconds - Hop, repeatedSeconds + Hop);
        Assert.InRange(loop.PeriodSeconds!.Value, 2 - (128.0 / Rate), 2 + (128.0 / Rate));
        Assert.InRange(loop.StartSeconds!.Value, 5 - Hop, 5 + Hop);
    }

    [Fact]
    public void Should_call_a_held_chord_static_not_a_loop()
    {
        // Given 6 s of a sustained A minor chord (three sines), after a 2-s sweep
        var chord = Enumerable.Range(0, 6 * Rate)
            .Select(i => (float)(0.2 * (Math.Sin(2 * Math.PI * 220 * i / Rate) + Math.Sin(2 * Math.PI * 261.63 * i / Rate) + Math.Sin(2 * Math.PI * 329.63 * i / Rate))))
            .ToArray();
        var sample = Join(Sweep(2), chord);

        // When tracked
        var loop = Loops(sample, scale: Track(120, seed: 4, seconds: 4));

        // Then nothing loops (the chord matches itself at every lag, but nothing in it changes), and the chord is static
        output.WriteLine($"held chord: loop {loop.Seconds:F3} s, static {loop.StaticSeconds:F3} s");
        Assert.Equal(0, loop.Seconds);
        // within one window (93 ms): the frames over the sweep's end and the last part-window are not static
        Assert.InRange(loop.StaticSeconds, 6 - (2048.0 / Rate), 6);
    }

    [Fact]
    public void Should_find_no_loop_in_noise_or_in_a_sweep()
    {
        // Given 8 s of white noise at the level of music, and an 8-s sweep from 100 Hz to 5 kHz
        var music = Track(120, seed: 5, seconds: 8);
        var noise = Noise(8 * Rate, Rms(music), seed: 11);

        // When tracked
        var (fromNoise, fromSweep) = (Loops(noise, scale: music), Loops(Sweep(8), scale: music));

        // Then neither loops: noise is static throughout (every frame like the one a window before), the
        // sweep never the same twice (static only near 100 Hz, where it moves less than a band a window)
        output.WriteLine($"noise: loop {fromNoise.Seconds:F3} s, static {fromNoise.StaticSeconds:F3} s; sweep: loop {fromSweep.Seconds:F3} s, static {fromSweep.StaticSeconds:F3} s");
        Assert.Equal(0, fromNoise.Seconds);
        Assert.InRange(fromNoise.StaticSeconds, 8 - (3 * Hop), 8);
        Assert.Equal(0, fromSweep.Seconds);
        Assert.True(fromSweep.StaticSeconds < 1, $"static {fromSweep.StaticSeconds} s");
    }

    [Fact]
    public void Should_find_a_loop_shorter_than_the_minimum_lag_at_a_multiple_of_its_period()
    {
        // Given 2 s of music, then a 0.4-s snippet played 15 times (6 s)
        var music = Track(120, seed: 10, seconds: 3);
        var snippet = Cut(Track(128, seed: 11, seconds: 3), Rate / 2, (int)(0.4 * Rate));
        var sample = Join([Cut(music, 0, 2 * Rate), .. Enumerable.Repeat(snippet, 15)]);

        // When tracked, then the loop is found at the first multiple of 0.4 s from 1 s on (1.2 s),
        // lasting the 6 s less that lag
        var loop = Loops(sample, scale: music);
        output.WriteLine($"0.4-s loop: {loop.Seconds:F3} s, period {loop.PeriodSeconds:F4} s");
        Assert.InRange(loop.PeriodSeconds!.Value, 1.2 - (128.0 / Rate), 1.2 + (128.0 / Rate));
        Assert.InRange(loop.Seconds, 4.8 - Hop, 4.8 + Hop);
    }

    /// <summary>An exponential sine sweep from 100 Hz to 5 kHz, at amplitude 0.3.</summary>
    private static float[] Sweep(double seconds)
    {
        var ratio = Math.Log(50);
        return Enumerable.Range(0, (int)(seconds * Rate))
            .Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 100 * seconds / ratio * (Math.Exp(ratio * i / Rate / seconds) - 1))))
            .ToArray();
    }

    private static LoopMetrics Loops(float[] sample, float[] scale)
    {
        var matching = FrameMatching.For(LogMelAnalyzer.Compute(scale, Rate), Rate);
        var tracker = new LoopTracker(matching);
        tracker.Add(LogMelAnalyzer.Compute(sample, Rate, matching.FineSettings));
        return tracker.Result();
    }
}
