using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

/// <summary><see cref="StreamingRoundTrip"/> for the codecs that stream themselves (stft, mel).</summary>
public sealed class SpectralStreamingRoundTripTests
{
    [Theory]
    [InlineData("stft", 1)]
    [InlineData("mel", 3)]
    public void Should_round_trip_block_by_block_exactly_as_the_whole_signal(string name, int seed)
    {
        // Given 4 s of a chord at 512/128 (three decoding windows of 256 frames), fed in uneven blocks
        var codec = CodecFactory.Create(new CodecSettings(name, 512, TestSignals.SampleRate) { PhaseIterations = 4 });
        var x = TestSignals.Chord((4 * TestSignals.SampleRate) + 77, seed: seed);
        var whole = codec.RoundTrip(x);

        // When streamed through the codec's encoding and decoding streams
        var originals = new List<float>();
        var restored = new List<float>();
        var stream = new StreamingRoundTrip(codec, framesPerStretch: 16);
        void Take(ReadOnlySpan<float> o, ReadOnlySpan<float> r)
        {
            Assert.Equal(o.Length, r.Length);
            originals.AddRange(o.ToArray());
            restored.AddRange(r.ToArray());
        }
        var random = new Random(seed);
        for (int at = 0; at < x.Length;)
        {
            int n = Math.Min(x.Length - at, random.Next(1, 20_000));
            stream.Push(x.AsSpan(at, n), Take);
            at += n;
        }
        stream.Finish(Take);

        // Then the originals come back in order beside their restored samples, which equal the whole round trip bit for bit
        Assert.Equal(x, originals.ToArray());
        Assert.Equal(whole, restored.ToArray());
        Assert.Equal(x.Length, stream.Done);
    }

    [Fact]
    public void Should_encode_block_by_block_exactly_as_at_once()
    {
        // Given noise fed to the stft codec's encoding stream in uneven blocks
        var codec = new StftCodec(256, 64);
        var x = TestSignals.WhiteNoise(10_001, seed: 7);
        var stream = codec.StartEncoding();
        var parts = new List<TorchSharp.torch.Tensor>();
        var random = new Random(1);
        for (int at = 0; at < x.Length;)
        {
            int n = Math.Min(x.Length - at, random.Next(0, 700));
            parts.Add(stream.Push(x.AsSpan(at, n)));
            at += n;
        }
        parts.Add(stream.Finish());

        // When joined, then the frames are those of one Encode
        using var joined = TorchSharp.torch.cat(parts, 0);
        using var once = codec.Encode(x);
        Assert.Equal(once.shape, joined.shape);
        Assert.True(joined.eq(once).all().item<bool>());
    }
}
