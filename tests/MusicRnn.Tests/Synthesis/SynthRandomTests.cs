using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Synthesis;

public sealed class SynthRandomTests
{
    [Fact]
    public void Should_give_the_same_stream_for_the_same_seed_and_voice()
    {
        var a = SynthRandom.ForVoice(42, "lead");
        var b = SynthRandom.ForVoice(42, "lead");
        Assert.Equal(Enumerable.Range(0, 100).Select(_ => a.NextUInt64()), Enumerable.Range(0, 100).Select(_ => b.NextUInt64()));
    }

    [Fact]
    public void Should_give_independent_streams_to_different_voices_and_seeds()
    {
        // Given neighbouring seeds and voices
        ulong lead = SynthRandom.ForVoice(42, "lead").NextUInt64();
        ulong bass = SynthRandom.ForVoice(42, "bass").NextUInt64();
        ulong nextSeed = SynthRandom.ForVoice(43, "lead").NextUInt64();

        // Then their first outputs differ in about half their bits (well mixed), not in a few
        Assert.InRange(ulong.PopCount(lead ^ bass), 16UL, 48UL);
        Assert.InRange(ulong.PopCount(lead ^ nextSeed), 16UL, 48UL);
    }

    [Fact]
    public void Should_draw_uniform_doubles_in_the_unit_interval()
    {
        // Given 100000 draws
        var random = new SynthRandom(7);
        double[] draws = Enumerable.Range(0, 100_000).Select(_ => random.NextDouble()).ToArray();

        // Then all lie in [0, 1), with mean 1/2 and variance 1/12
        Assert.All(draws, x => Assert.InRange(x, 0, 0.9999999999));
        Assert.Equal(0.5, draws.Average(), 2);
        Assert.Equal(1 / 12.0, draws.Select(x => (x - 0.5) * (x - 0.5)).Average(), 2);
    }
}
