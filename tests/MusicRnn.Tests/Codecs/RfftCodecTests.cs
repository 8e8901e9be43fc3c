using MusicRnn.Codecs;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class RfftCodecTests(ITestOutputHelper output)
{
    public static TheoryData<int, string, int> RoundTripCases() => TestSignals.RoundTripCases();

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Should_reconstruct_the_signal_within_1e5(int frameLength, string signal, int length)
    {
        // Given a seeded signal and the rfft codec
        var samples = TestSignals.Make(signal, length, seed: frameLength + length);
        var codec = new RfftCodec(frameLength);

        // When it is encoded and decoded
        using var frames = codec.Encode(samples);
        var decoded = codec.Decode(frames);

        // Then whole frames of N features come out, and the song comes back followed by the zero pad
        var expectedFrames = (length + frameLength - 1) / frameLength;
        Assert.Equal(new long[] { expectedFrames, frameLength }, frames.shape);
        Assert.Equal(expectedFrames * frameLength, decoded.Length);
        var error = TestSignals.MaxAbsDifference(samples, decoded.AsSpan(0, length));
        output.WriteLine($"rfft N={frameLength} {signal} L={length}: max abs error {error:E2}");
        Assert.True(error < 1e-5, $"max abs error {error}");
        Assert.All(decoded.Skip(length), s => Assert.True(Math.Abs(s) < 1e-5));
    }

    [Fact]
    public void Should_pack_dc_nyquist_then_interleaved_bins()
    {
        // Given two frames of 8 seeded samples
        const int n = 8;
        var samples = TestSignals.WhiteNoise(2 * n, seed: 11);

        // When encoded
        using var frames = new RfftCodec(n).Encode(samples);
        var features = frames.data<float>().ToArray();

        // Then frame f is [Re X_0, Re X_4, Re X_1, Im X_1, Re X_2, Im X_2, Re X_3, Im X_3], X by explicit sums
        for (var f = 0; f < 2; f++)
        {
            var re = new double[n / 2 + 1];
            var im = new double[n / 2 + 1];
            for (var k = 0; k <= n / 2; k++)
            {
                for (var t = 0; t < n; t++)
                {
                    re[k] += samples[f * n + t] * Math.Cos(2 * Math.PI * k * t / n);
                    im[k] -= samples[f * n + t] * Math.Sin(2 * Math.PI * k * t / n);
                }
            }
            double[] expected = [re[0], re[4], re[1], im[1], re[2], im[2], re[3], im[3]];
            for (var i = 0; i < n; i++)
                Assert.Equal(expected[i], features[f * n + i], 5);
        }
    }

    [Fact]
    public void Should_decode_the_nyquist_slot_as_the_alternating_bin()
    {
        // Given a packed frame with only Re X_4 = 8 (the Nyquist slot, feature 1)
        const int n = 8;
        var features = new float[n];
        features[1] = n;
        using var frames = tensor(features, 1, n);

        // When decoded
        var decoded = new RfftCodec(n).Decode(frames);

        // Then the samples alternate +1, -1: the inverse DFT of X_4 = 8 alone
        for (var t = 0; t < n; t++)
            Assert.Equal(t % 2 == 0 ? 1.0 : -1.0, decoded[t], 6);
    }

    [Fact]
    public void Should_handle_the_smallest_frame_of_two_samples()
    {
        // Given N = 2, where the packing holds only DC and Nyquist
        var samples = new float[] { 0.25f, -0.5f, 0.75f };
        var codec = new RfftCodec(2);

        // When round-tripped
        using var frames = codec.Encode(samples);
        var decoded = codec.Decode(frames);

        // Then the features are [x0 + x1, x0 - x1] per frame and the samples come back
        Assert.Equal(new float[] { -0.25f, 0.75f, 0.75f, 0.75f }, frames.data<float>().ToArray());
        Assert.Equal(new float[] { 0.25f, -0.5f, 0.75f, 0f }, decoded);
    }
}
