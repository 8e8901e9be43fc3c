using MusicRnn.Codecs;
using MusicRnn.Generation;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Generation;

public sealed class StreamingDecoderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void Should_match_a_whole_decode_when_frames_overlap(int chunk)
    {
        // Given 23 frames of a codec whose hops each need the next frame too, as the MDCT's do
        var codec = new HalfOverlapCodec(hop: 4);
        using var frames = randn(23, codec.FeatureCount);

        // When decoding them whole, and streaming them in chunks
        var whole = codec.Decode(frames);
        var streamed = Stream(codec, frames, chunk);

        // Then the samples are the same, the hops at chunk edges included
        Assert.Equal(23 * 4, streamed.Length);
        for (var i = 0; i < whole.Length; i++)
            Assert.True(Math.Abs(whole[i] - streamed[i]) < 1e-6f, $"sample {i}: {whole[i]} vs {streamed[i]}");
    }

    [Theory]
    [InlineData("mdct")]
    [InlineData("rfft")]
    [InlineData("fft")]
    [InlineData("raw")]
    public void Should_match_a_whole_decode_for_every_real_codec(string name)
    {
        // Given a seeded noise burst encoded by a real codec (for the MDCT, frames overlap by half)
        var codec = CodecFactory.Create(name, 64);
        var random = new Random(9);
        var audio = Enumerable.Range(0, 64 * 30 + 17).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var frames = codec.Encode(audio);

        // When decoding whole, and streaming in chunks of 4 frames
        var whole = codec.Decode(frames);
        var streamed = Stream(codec, frames, 4);

        // Then the samples agree, and (after the codec's padding is trimmed) give the audio back
        Assert.Equal(whole.Length, streamed.Length);
        for (var i = 0; i < whole.Length; i++)
            Assert.True(Math.Abs(whole[i] - streamed[i]) < 1e-5f, $"sample {i}: {whole[i]} vs {streamed[i]}");
        for (var i = 0; i < audio.Length; i++)
            Assert.True(Math.Abs(audio[i] - streamed[i]) < 1e-4f, $"sample {i}: {audio[i]} vs {streamed[i]}");
    }

    [Theory]
    [InlineData("stft", 5)]
    [InlineData("stft", 64)]
    [InlineData("mel", 33)]
    public void Should_match_a_whole_decode_for_the_phase_rebuilding_codecs(string name, int chunk)
    {
        // Given 5 s of a chord encoded by a codec whose phase Griffin-Lim rebuilds over windows of frames
        var codec = CodecFactory.Create(new CodecSettings(name, 512, 22050) { PhaseIterations = 4 });
        using var frames = codec.Encode(Codecs.TestSignals.Chord(5 * 22050, seed: 4));

        // When decoding whole, and streaming in chunks as generate does
        var whole = codec.Decode(frames);
        var streamed = Stream(codec, frames, chunk);

        // Then the samples are bit for bit the same: the decoder hands the chunks to the codec's own stream
        Assert.Equal(whole, streamed);
    }

    [Fact]
    public void Should_emit_nothing_for_no_frames()
    {
        // Given a decoder that never sees a frame
        var codec = new HalfOverlapCodec(hop: 4);

        // When it is finished
        var streamed = Stream(codec, zeros(0, codec.FeatureCount), 5);

        // Then no samples come out
        Assert.Empty(streamed);
    }

    internal static float[] Stream(IFrameCodec codec, Tensor frames, int chunk)
    {
        var samples = new List<float>();
        var decoder = new StreamingDecoder(codec, samples.AddRange);
        for (long start = 0; start < frames.shape[0]; start += chunk)
        {
            using var piece = frames.narrow(0, start, Math.Min(chunk, frames.shape[0] - start));
            decoder.Push(piece);
        }
        decoder.Finish();
        Assert.Equal(samples.Count, decoder.SamplesEmitted);
        return samples.ToArray();
    }

    /// <summary>
    /// A toy with the MDCT's overlap structure and none of its arithmetic: each frame holds two
    /// half-frames of samples, and hop f is the second half of frame f plus the first half of
    /// frame f + 1 (the first half of frame 0 stands for leading padding and is dropped).
    /// </summary>
    private sealed class HalfOverlapCodec(int hop) : IFrameCodec
    {
        public string Name => "half-overlap";

        public bool IsExact => true;

        public int FrameLength => hop;

        public int Hop => hop;

        public int FeatureCount => 2 * hop;

        public int FrameCount(int sampleCount) => throw new NotSupportedException();

        public Tensor Encode(ReadOnlySpan<float> samples) => throw new NotSupportedException();

        public float[] Decode(Tensor frames)
        {
            var x = frames.data<float>().ToArray();
            var count = (int)frames.shape[0];
            var output = new float[count * hop];
            for (var f = 0; f < count; f++)
                for (var i = 0; i < hop; i++)
                    output[f * hop + i] = x[f * 2 * hop + hop + i] + (f + 1 < count ? x[(f + 1) * 2 * hop + i] : 0);
            return output;
        }
    }
}
