using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

public sealed class FrameCodecExtensionsTests
{
    [Fact]
    public void Should_trim_decoded_frames_to_the_requested_length()
    {
        // Given 5 samples encoded in raw frames of 4 (two frames, 8 samples with the pad)
        var codec = new RawCodec(4);
        var samples = new float[] { 1, 2, 3, 4, 5 };
        using var frames = codec.Encode(samples);

        // When decoded to the original length
        var decoded = codec.Decode(frames, samples.Length);

        // Then the pad is gone
        Assert.Equal(samples, decoded);
    }

    [Fact]
    public void Should_refuse_a_length_the_frames_cannot_hold()
    {
        // Given two raw frames of 4, which hold 8 samples
        var codec = new RawCodec(4);
        using var frames = codec.Encode(new float[8]);

        // When asked for 9
        // Then it is an argument error
        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(frames, 9));
    }

    [Fact]
    public void Should_round_trip_to_the_input_length_for_every_codec()
    {
        // Given a ragged-length signal
        var samples = TestSignals.WhiteNoise(1000, seed: 5);

        // When each codec round-trips it
        // Then the same number of samples comes back
        foreach (var name in CodecFactory.Names)
            Assert.Equal(samples.Length, TestSignals.Codec(name, 64).RoundTrip(samples).Length);
    }

    [Fact]
    public void Should_round_trip_an_empty_song_for_every_codec()
    {
        // Given no samples
        // When each codec encodes and decodes them
        // Then there are no frames and no samples, and nothing fails
        foreach (var name in CodecFactory.Names)
        {
            var codec = TestSignals.Codec(name, 16);
            using var frames = codec.Encode([]);
            Assert.Equal(new long[] { 0, codec.FeatureCount }, frames.shape);
            Assert.Empty(codec.Decode(frames));
        }
    }

    [Fact]
    public void Should_decode_frames_that_carry_gradients()
    {
        // Given model output that requires gradients, two frames for each codec
        // When each codec decodes it
        // Then two hops of samples come back without touching the graph
        foreach (var name in CodecFactory.Names)
        {
            var codec = TestSignals.Codec(name, 16);
            using var frames = TorchSharp.torch.ones(2, codec.FeatureCount).requires_grad_();
            Assert.Equal(2 * codec.Hop, codec.Decode(frames).Length);
        }
    }
}
