using MusicRnn.Codecs;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class MdctCodecTests(ITestOutputHelper output)
{
    public static TheoryData<int, string, int> RoundTripCases() => TestSignals.RoundTripCases();

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Should_reconstruct_the_signal_within_1e5_by_overlap_add(int frameLength, string signal, int length)
    {
        // Given a seeded signal, at full amplitude from its first sample to its last
        var samples = TestSignals.Make(signal, length, seed: frameLength + length);
        var codec = new MdctCodec(frameLength);

        // When it is encoded and decoded
        using var frames = codec.Encode(samples);
        var decoded = codec.Decode(frames);

        // Then ⌈L/N⌉ + 1 frames of N coefficients come out, and F·N samples come back whose
        // first L are the song, edges included (the padding lost nothing)
        var expectedFrames = (length + frameLength - 1) / frameLength + 1;
        Assert.Equal(new long[] { expectedFrames, frameLength }, frames.shape);
        Assert.Equal(expectedFrames * frameLength, decoded.Length);
        var error = TestSignals.MaxAbsDifference(samples, decoded.AsSpan(0, length));
        output.WriteLine($"mdct N={frameLength} {signal} L={length}: max abs error {error:E2}");
        Assert.True(error < 1e-5, $"max abs error {error}");
    }

    [Theory]
    [InlineData(8, 21)]
    [InlineData(16, 32)]
    public void Should_match_the_direct_mdct_sum(int n, int length)
    {
        // Given a seeded signal, and the same signal as the codec documents its padding:
        // N zeros, the song, zeros up to (F + 1)·N
        var samples = TestSignals.WhiteNoise(length, seed: n);
        var frameCount = (length + n - 1) / n + 1;
        var padded = new double[(frameCount + 1) * n];
        for (var i = 0; i < length; i++)
            padded[n + i] = samples[i];

        // When the codec encodes it
        using var frames = new MdctCodec(n).Encode(samples);
        var features = frames.data<float>().ToArray();

        // Then frame f is X_k = Σ_{t<2N} w_t x_{fN+t} cos[π/N (t + 1/2 + N/2)(k + 1/2)], w_t = sin(π(t + 1/2)/2N)
        Assert.Equal(new long[] { frameCount, n }, frames.shape);
        for (var f = 0; f < frameCount; f++)
        {
            for (var k = 0; k < n; k++)
            {
                double sum = 0;
                for (var t = 0; t < 2 * n; t++)
                {
                    var window = Math.Sin(Math.PI * (t + 0.5) / (2 * n));
                    sum += window * padded[f * n + t] * Math.Cos(Math.PI / n * (t + 0.5 + n / 2.0) * (k + 0.5));
                }
                Assert.Equal(sum, features[f * n + k], 5);
            }
        }
    }

    [Fact]
    public void Should_decode_one_frame_to_the_windowed_inverse_transform()
    {
        // Given a single frame holding only X_2 = 1 at N = 8
        const int n = 8;
        var coefficients = new float[n];
        coefficients[2] = 1;
        using var frames = tensor(coefficients, 1, n);

        // When decoded
        var decoded = new MdctCodec(n).Decode(frames);

        // Then the N samples are the second half of the windowed IMDCT, (2/N)·w_t·cos[π/N (t + 1/2 + N/2)(k + 1/2)]
        // for t = N..2N-1 (the first half fell on the leading pad)
        Assert.Equal(n, decoded.Length);
        for (var i = 0; i < n; i++)
        {
            var t = n + i;
            var window = Math.Sin(Math.PI * (t + 0.5) / (2 * n));
            var expected = 2.0 / n * window * Math.Cos(Math.PI / n * (t + 0.5 + n / 2.0) * (2 + 0.5));
            Assert.Equal(expected, decoded[i], 6);
        }
    }

    [Fact]
    public void Should_encode_no_samples_to_no_frames()
    {
        // Given an empty song
        var codec = new MdctCodec(256);

        // When encoded and decoded
        using var frames = codec.Encode([]);
        var decoded = codec.Decode(frames);

        // Then there are no frames and no samples
        Assert.Equal(0, codec.FrameCount(0));
        Assert.Equal(new long[] { 0, 256 }, frames.shape);
        Assert.Empty(decoded);
    }
}
