using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

public sealed class RawCodecTests
{
    public static TheoryData<int, string, int> RoundTripCases() => TestSignals.RoundTripCases();

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Should_reconstruct_the_signal_exactly(int frameLength, string signal, int length)
    {
        // Given a seeded signal and the raw codec
        var samples = TestSignals.Make(signal, length, seed: frameLength + length);
        var codec = new RawCodec(frameLength);

        // When it is encoded and decoded
        using var frames = codec.Encode(samples);
        var decoded = codec.Decode(frames);

        // Then the song comes back bit for bit, followed by zeros up to a whole frame
        var expectedFrames = (length + frameLength - 1) / frameLength;
        Assert.Equal(new long[] { expectedFrames, frameLength }, frames.shape);
        Assert.Equal(samples, decoded.Take(length));
        Assert.All(decoded.Skip(length), s => Assert.Equal(0f, s));
    }

    [Fact]
    public void Should_use_consecutive_samples_as_the_features_of_a_frame()
    {
        // Given 5 samples and frames of 2
        var samples = new float[] { 1, 2, 3, 4, 5 };

        // When encoded
        using var frames = new RawCodec(2).Encode(samples);

        // Then the frames are [1, 2], [3, 4], [5, 0]
        Assert.Equal(new long[] { 3, 2 }, frames.shape);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 0 }, frames.data<float>().ToArray());
    }
}
