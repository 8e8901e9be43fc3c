using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class GriffinLimStreamTests
{
    private const int Rate = TestSignals.SampleRate;

    [Theory]
    [InlineData("stft", 1)]
    [InlineData("stft", 7)]
    [InlineData("stft", 300)]
    [InlineData("mel", 41)]
    public void Should_stream_bit_for_bit_what_one_decode_gives(string name, int chunk)
    {
        // Given 7 s of a chord at 1024/256: about 600 frames, five decoding windows of 128 committed frames
        var codec = CodecFactory.Create(new CodecSettings(name, 1024, Rate) { PhaseIterations = 8 });
        using var frames = codec.Encode(TestSignals.Chord(7 * Rate, seed: 2));

        // When decoded at once, and pushed in chunks through the codec's stream
        var whole = codec.Decode(frames);
        var stream = ((IStreamingCodec)codec).StartDecoding();
        var streamed = new List<float>();
        for (long at = 0; at < frames.shape[0]; at += chunk)
            streamed.AddRange(stream.Push(frames.narrow(0, at, Math.Min(chunk, frames.shape[0] - at))));
        streamed.AddRange(stream.Finish());

        // Then the samples are identical: windows fall on the frames' indices, not on the chunks
        Assert.Equal(whole, streamed.ToArray());
    }

    [Fact]
    public void Should_hold_a_bounded_number_of_frames_for_ten_minutes_of_frames()
    {
        // Given ten minutes of generated stft frames at 8 kHz, 1024/256 (18,750 frames), made chunk by chunk
        // (no iterations, and a low rate: what is held depends on neither, and the test stays fast)
        var codec = new StftCodec(1024, 256, phaseIterations: 0);
        var total = (10 * 60 * 8000) / 256;
        const int chunk = 100;
        var stream = codec.StartDecoding();
        long samples = 0;
        var mostHeld = 0;
        var generator = new TorchSharp.torch.Generator(seed: 3);

        // When pushed through the stream, recording what it holds after each push
        for (var at = 0; at < total; at += chunk)
        {
            using var frames = rand(Math.Min(chunk, total - at), codec.FeatureCount, generator: generator).mul_(3);
            samples += stream.Push(frames).Length;
            mostHeld = Math.Max(mostHeld, stream.HeldFrames);
        }
        samples += stream.Finish().Length;

        // Then every hop came out, and it never held more than one window: fewer than C + 2R = 136 waiting frames
        // and R − 1 = 3 frozen ones, however long the stream
        Assert.Equal((long)total * 256, samples);
        Assert.InRange(mostHeld, 128, 135 + 3);
    }

    [Fact]
    public void Should_not_degrade_the_spectrum_at_window_seams()
    {
        // Given 3 s of real music at 1024/256, decoded in windows that commit only 32 frames (8 seams), with the
        // default lookahead of 2R frames and, for contrast, with none
        var samples = TestSignals.Excerpt();
        var codec = new StftCodec(1024, 256);
        using var frames = codec.Encode(samples);
        float[] Decode(int? lookahead)
        {
            var stream = new GriffinLimStream(codec, commitFrames: 32, lookahead: lookahead);
            return [.. stream.Push(frames), .. stream.Finish()];
        }

        // When decoded both ways
        var (near, far) = SeamConvergence(samples, Decode(null));
        var (bareNear, bareFar) = SeamConvergence(samples, Decode(0));

        // Then with the lookahead the frames near a seam (centre within 4 hops of it) are no worse than the rest,
        // within 10%, while without it they are clearly worse, so the test can tell a seam that clicks
        // (measured: 0.082 near against 0.093 elsewhere; without lookahead 0.171 against 0.093)
        Assert.True(near < 1.1 * far, $"near seams {near}, elsewhere {far}");
        Assert.True(bareNear > 1.2 * bareFar, $"without lookahead: near seams {bareNear}, elsewhere {bareFar}");
    }

    /// <summary>Spectral convergence of the 1024/256 frames whose centre lies within 4 hops of a 32-frame window seam, and of the rest.</summary>
    private static (double Near, double Far) SeamConvergence(float[] samples, float[] restored)
    {
        using var window = hann_window(1024, periodic: true);
        using var original = tensor(samples).stft(1024, 256, window: window, center: false, return_complex: true).abs().t();
        using var rebuilt = tensor(restored.AsSpan(0, samples.Length).ToArray()).stft(1024, 256, window: window, center: false, return_complex: true).abs().t();
        var error = (original - rebuilt).pow(2).sum(new long[] { 1 }).data<float>().ToArray();
        var energy = original.pow(2).sum(new long[] { 1 }).data<float>().ToArray();
        double nearError = 0, nearEnergy = 0, farError = 0, farEnergy = 0;
        for (var j = 0; j < error.Length; j++)
        {
            // Frame j spans song hops j … j + 3; a seam lies between the hops of frames 32 m − 1 and 32 m.
            var position = (j + 2) % 32;
            if (position < 4 || position > 28) { nearError += error[j]; nearEnergy += energy[j]; }
            else { farError += error[j]; farEnergy += energy[j]; }
        }
        return (Math.Sqrt(nearError / nearEnergy), Math.Sqrt(farError / farEnergy));
    }
}
