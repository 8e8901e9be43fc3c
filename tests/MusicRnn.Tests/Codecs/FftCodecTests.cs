using MusicRnn.Codecs;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class FftCodecTests(ITestOutputHelper output)
{
    public static TheoryData<int, string, int> RoundTripCases() => TestSignals.RoundTripCases();

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Should_reconstruct_the_signal_within_1e5(int frameLength, string signal, int length)
    {
        // Given a seeded signal and the fft codec
        var samples = TestSignals.Make(signal, length, seed: frameLength + length);
        var codec = new FftCodec(frameLength);

        // When it is encoded and decoded
        using var frames = codec.Encode(samples);
        var decoded = codec.Decode(frames);

        // Then whole frames of 2N features come out, and the song comes back followed by the zero pad
        var expectedFrames = (length + frameLength - 1) / frameLength;
        Assert.Equal(new long[] { expectedFrames, 2 * frameLength }, frames.shape);
        Assert.Equal(ScalarType.Float32, frames.dtype);
        Assert.Equal(expectedFrames * frameLength, decoded.Length);
        var error = TestSignals.MaxAbsDifference(samples, decoded.AsSpan(0, length));
        output.WriteLine($"fft N={frameLength} {signal} L={length}: max abs error {error:E2}");
        Assert.True(error < 1e-5, $"max abs error {error}");
        Assert.All(decoded.Skip(length), s => Assert.True(Math.Abs(s) < 1e-5));
    }

    [Fact]
    public void Should_lay_out_real_then_imaginary_parts_of_the_dft()
    {
        // Given two frames of 8 seeded samples
        const int n = 8;
        var samples = TestSignals.WhiteNoise(2 * n, seed: 7);

        // When encoded
        using var frames = new FftCodec(n).Encode(samples);
        var features = frames.data<float>().ToArray();

        // Then frame f holds [Re X_0..X_7, Im X_0..X_7] of samples 8f..8f+7, X_k = Σ x_n e^{-2πi kn/8}
        for (var f = 0; f < 2; f++)
        {
            for (var k = 0; k < n; k++)
            {
                double re = 0, im = 0;
                for (var t = 0; t < n; t++)
                {
                    re += samples[f * n + t] * Math.Cos(2 * Math.PI * k * t / n);
                    im -= samples[f * n + t] * Math.Sin(2 * Math.PI * k * t / n);
                }
                Assert.Equal(re, features[f * 2 * n + k], 5);
                Assert.Equal(im, features[f * 2 * n + n + k], 5);
            }
        }
    }

    [Fact]
    public void Should_decode_to_the_real_part_of_the_inverse_dft()
    {
        // Given a hand-made, non-Hermitian spectrum: X_1 = 8 and nothing else
        const int n = 8;
        var features = new float[2 * n];
        features[1] = n;
        using var frames = tensor(features, 1, 2 * n);

        // When decoded
        var decoded = new FftCodec(n).Decode(frames);

        // Then the samples are Re(e^{2πi t/8}) = cos(2πt/8): the imaginary part is dropped
        for (var t = 0; t < n; t++)
            Assert.Equal(Math.Cos(2 * Math.PI * t / n), decoded[t], 6);
    }
}
