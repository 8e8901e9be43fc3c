using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Synthesis;

public sealed class BeatGridTests
{
    [Fact]
    public void Should_place_steps_without_drift_at_a_fractional_beat_length()
    {
        // Given 137 bpm at 22050 Hz, where a beat is 9656.93... samples
        var grid = new BeatGrid(new TrackSpec { Bpm = 137, Seconds = 600 });

        // When locating bar 1000's first step and bar 1's fifth step (its second beat)
        int bar1000 = grid.StepStart(1000, 0);
        int beat2 = grid.StepStart(0, 4);

        // Then each is the exact position rounded once, so error never accumulates
        Assert.Equal((int)Math.Round(1000.0 * 4 * 60 * 22050 / 137), bar1000);
        Assert.Equal((int)Math.Round(60 * 22050 / 137.0), beat2);
    }

    [Fact]
    public void Should_count_the_bars_that_start_inside_the_track()
    {
        // Given 5 s at 120 bpm (2 s bars): bars start at 0, 2 and 4 s
        var grid = new BeatGrid(new TrackSpec { Seconds = 5 });

        // Then there are three
        Assert.Equal(3, grid.Bars);
    }

    [Fact]
    public void Should_duck_hardest_just_after_each_beat_and_recover_before_the_next()
    {
        // Given the grid at 120 bpm (a beat every 11025 samples)
        var grid = new BeatGrid(new TrackSpec());

        for (int beat = 1; beat < 8; beat++)
        {
            // When reading the ducking gain around a beat
            int onset = beat * 11025;
            double before = grid.Duck(onset - 200, depth: 0.7);
            double atBeat = grid.Duck(onset, depth: 0.7);
            double nextBeat = grid.Duck(onset + 11025 - 200, depth: 0.7);

            // Then it is about 1 - depth at the beat and back near 1 before the next
            Assert.InRange(atBeat, 0.3, 0.31);
            Assert.True(before > 0.98 && nextBeat > 0.98, $"before {before:F3}, before next {nextBeat:F3}");
        }
    }
}
