using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Synthesis;

public sealed class ChordProgressionTests
{
    [Fact]
    public void Should_change_chord_at_every_chord_boundary_for_every_seed()
    {
        for (int seed = 0; seed < 64; seed++)
        {
            // Given a seed's progression
            var progression = ChordProgression.Create(new SynthRandom((ulong)seed));

            // Then chords last one or two bars and the next chord (wrapping round the loop) always differs
            Assert.InRange(progression.BarsPerChord, 1, 2);
            for (int bar = 0; bar < 16; bar += progression.BarsPerChord)
                Assert.NotEqual(progression.AtBar(bar), progression.AtBar(bar + progression.BarsPerChord));
        }
    }

    [Fact]
    public void Should_hold_a_chord_for_its_bars_and_loop_after_four_chords()
    {
        // Given progressions with one and with two bars per chord
        var progressions = Enumerable.Range(0, 64).Select(s => ChordProgression.Create(new SynthRandom((ulong)s))).ToList();
        var one = progressions.First(p => p.BarsPerChord == 1);
        var two = progressions.First(p => p.BarsPerChord == 2);

        // Then a two-bar chord is the same in both its bars, and both loop after four chords
        Assert.Equal(two.AtBar(0), two.AtBar(1));
        Assert.Equal(one.AtBar(2), one.AtBar(6));
        Assert.Equal(two.AtBar(2), two.AtBar(10));
    }

    [Fact]
    public void Should_vary_the_progression_with_the_seed()
    {
        // Given many seeds
        var progressions = Enumerable.Range(0, 64).Select(s => ChordProgression.Create(new SynthRandom((ulong)s))).ToList();

        // Then more than one chord loop and both chord lengths occur
        Assert.True(progressions.Select(p => string.Join(" ", p.Chords.Select(c => c.Name))).Distinct().Count() > 2);
        Assert.Equal(2, progressions.Select(p => p.BarsPerChord).Distinct().Count());
    }

    [Fact]
    public void Should_build_minor_and_major_triads()
    {
        // Given A minor and C major
        var am = new Chord("Am", 9, Minor: true);
        var c = new Chord("C", 0, Minor: false);

        // Then their intervals are 0-3-7 and 0-4-7 semitones
        Assert.Equal([0, 3, 7], am.Intervals);
        Assert.Equal([0, 4, 7], c.Intervals);
    }
}
