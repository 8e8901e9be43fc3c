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
            var progression = ChordProgression.Create(seed, new SynthRandom((ulong)seed));

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
        var progressions = Enumerable.Range(0, 64).Select(s => ChordProgression.Create(s, new SynthRandom((ulong)s))).ToList();
        var one = progressions.First(p => p.BarsPerChord == 1);
        var two = progressions.First(p => p.BarsPerChord == 2);

        // Then a two-bar chord is the same in both its bars, and both loop after four chords
        Assert.Equal(two.AtBar(0), two.AtBar(1));
        Assert.Equal(one.AtBar(2), one.AtBar(6));
        Assert.Equal(two.AtBar(2), two.AtBar(10));
    }

    [Fact]
    public void Should_give_four_different_loops_to_four_consecutive_seeds()
    {
        // Given seeds 0 to 3 (and negative ones, which a CLI user may type)
        var names = new[] { 0, 1, 2, 3, -1, -2, -3, -4 }
            .Select(s => string.Join(" ", ChordProgression.Create(s, new SynthRandom((ulong)s)).Chords.Select(c => c.Name)))
            .ToList();

        // Then each block of four seeds covers four harmonies, seed 0 the archetypal i–VI–III–VII
        Assert.Equal(4, names.Take(4).Distinct().Count());
        Assert.Equal(4, names.Skip(4).Distinct().Count());
        Assert.Equal("Am F C G", names[0]);
    }

    [Fact]
    public void Should_use_both_chord_lengths_across_seeds()
    {
        // Given many seeds, then chords lasting one bar and lasting two both occur
        var lengths = Enumerable.Range(0, 64).Select(s => ChordProgression.Create(s, new SynthRandom((ulong)s)).BarsPerChord);
        Assert.Equal([1, 2], lengths.Distinct().Order());
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
