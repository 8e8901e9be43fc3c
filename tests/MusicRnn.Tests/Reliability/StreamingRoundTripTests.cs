using MusicRnn.Codecs;

namespace MusicRnn.Tests.Reliability;

/// <summary>The codec round trip done stretch by stretch equals the whole-signal round trip.</summary>
public sealed class StreamingRoundTripTests
{
    [Theory]
    [InlineData("fft", 256, 1)]
    [InlineData("rfft", 256, 3)]
    [InlineData("raw", 64, 5)]
    [InlineData("mdct", 256, 1)]
    [InlineData("mdct", 256, 4)]
    [InlineData("mdct", 2048, 2)]
    public void Should_round_trip_stretch_by_stretch_exactly_as_the_whole_signal(string codecName, int frame, int framesPerStretch)
    {
        // Given a chord whose length is no whole number of frames, fed in uneven blocks
        var codec = CodecFactory.Create(codecName, frame);
        var x = Codecs.TestSignals.Chord((17 * frame) + 123, seed: frame);
        var whole = codec.RoundTrip(x);

        // When round-tripped a few frames at a time
        var originals = new List<float>();
        var restored = new List<float>();
        var stream = new StreamingRoundTrip(codec, framesPerStretch);
        void Take(ReadOnlySpan<float> o, ReadOnlySpan<float> r)
        {
            originals.AddRange(o.ToArray());
            restored.AddRange(r.ToArray());
        }
        var random = new Random(2);
        for (int at = 0; at < x.Length;)
        {
            int n = Math.Min(x.Length - at, random.Next(3 * frame));
            stream.Push(x.AsSpan(at, n), Take);
            at += n;
        }
        stream.Finish(Take);

        // Then the originals come back in order and the restored signal equals the whole round trip
        Assert.True(x.AsSpan().SequenceEqual(originals.ToArray()));
        Assert.Equal(whole.Length, restored.Count);
        double worst = Codecs.TestSignals.MaxAbsDifference(whole, restored.ToArray());
        Assert.True(worst <= 1e-6, $"max |Δ| {worst}");
    }

    [Fact]
    public void Should_measure_snr_over_blocks_as_over_the_whole_signal()
    {
        // Given a signal and a noisy copy, when compared in blocks
        var x = Codecs.TestSignals.WhiteNoise(5000, seed: 1);
        var y = x.Select((v, i) => v + (0.01f * MathF.Sin(i))).ToArray();
        var meter = new SnrMeter();
        for (int at = 0; at < x.Length; at += 700)
        {
            int n = Math.Min(700, x.Length - at);
            meter.Add(x.AsSpan(at, n), y.AsSpan(at, n));
        }

        // Then the SNR is the whole-signal SNR exactly
        Assert.Equal(Snr.SnrDb(x, y), meter.SnrDb);
        Assert.Equal(5000, meter.Count);
    }
}
