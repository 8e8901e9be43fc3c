using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class GriffinLimTests
{
    [Theory]
    [InlineData(256, 64)]
    [InlineData(256, 128)]
    [InlineData(1000, 250)]
    public void Should_resynthesise_a_consistent_spectrogram_exactly(int frameLength, int hop)
    {
        // Given the STFT (torch.stft, periodic Hann, no centring) of seeded noise
        var gl = new GriffinLim(frameLength, hop, iterations: 0);
        var signal = TestSignals.WhiteNoise(20 * hop, seed: hop);
        using var spectrum = tensor(signal).stft(frameLength, hop, window: hann_window(frameLength, periodic: true), center: false, return_complex: true).t();

        // When overlap-added through the dual window
        using var hops = gl.Synthesise(spectrum);

        // Then the hops are laid out as documented (row j holds samples [jH, jH + H) from the first frame's start), and
        // every sample that R frames cover comes back: the dual window makes this the least-squares inverse STFT
        var overlap = frameLength / hop;
        var frames = spectrum.shape[0];
        Assert.Equal(new long[] { frames + overlap - 1, hop }, hops.shape);
        var flat = hops.reshape(-1).data<float>().ToArray();
        for (var i = (overlap - 1) * hop; i < frames * hop; i++)
            Assert.True(Math.Abs(flat[i] - signal[i]) < 1e-5, $"sample {i}: {flat[i]} vs {signal[i]}");
    }

    [Fact]
    public void Should_keep_frozen_frames_as_given()
    {
        // Given magnitudes and an initial spectrogram whose first 3 frames are final
        var gl = new GriffinLim(256, 64, iterations: 5);
        using var magnitudes = rand(20, 129);
        using var initial = complex(randn(20, 129), randn(20, 129));

        // When the phase is rebuilt
        var (spectrum, direction) = gl.Rebuild(magnitudes, initial, frozen: 3);
        using var _ = spectrum;
        using var __ = direction;

        // Then the frozen frames are untouched and the free ones have exactly the target magnitudes
        Assert.True(spectrum.narrow(0, 0, 3).eq(initial.narrow(0, 0, 3)).all().item<bool>());
        Assert.True(spectrum.narrow(0, 3, 17).abs().allclose(magnitudes.narrow(0, 3, 17), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Should_start_from_the_phase_advance_of_a_steady_sinusoid()
    {
        // Given no estimate, then an estimate of phase φ for the frame before
        var gl = new GriffinLim(8, 2, iterations: 0);
        using var first = gl.AdvancedPhases(null, 5);
        using var last = polar(ones(5), tensor(new[] { 0f, 0.5f, 1f, 1.5f, 2f }));
        using var next = gl.AdvancedPhases(last, 2);

        // Then frame f, bin k has phase 2π k H f / N, and the frames after φ advance from it by 2π k H / N per frame
        for (var f = 0; f < 5; f++)
            for (var k = 0; k < 5; k++)
            {
                var expected = 2 * Math.PI * k * 2 * f / 8;
                Assert.Equal(Math.Cos(expected), first[f, k].real.item<float>(), 5);
                Assert.Equal(Math.Sin(expected), first[f, k].imag.item<float>(), 5);
            }
        for (var j = 0; j < 2; j++)
            for (var k = 0; k < 5; k++)
            {
                var expected = (0.5 * k) + (2 * Math.PI * k * 2 * (j + 1) / 8);
                Assert.Equal(Math.Cos(expected), next[j, k].real.item<float>(), 5);
                Assert.Equal(Math.Sin(expected), next[j, k].imag.item<float>(), 5);
            }
    }
}
