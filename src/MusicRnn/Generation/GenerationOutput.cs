using MusicRnn.Analysis;
using MusicRnn.Audio;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// One WAV a generation writes (docs/ARCHITECTURE.md, "Generation"): model-space chunks in,
/// denormalized, decoded, clipped as the format must, written and measured as the file holds them.
/// The file appears under its name only once <see cref="Complete"/> is called, so a failed run
/// leaves no half file; nothing here grows with the output's length.
/// </summary>
internal sealed class GenerationOutput : IDisposable
{
    private readonly WavFileWriter wav;
    private readonly StreamingDecoder decoder;
    private readonly Func<Tensor, Tensor> denormalize;
    private readonly long targetSamples;
    private long written;

    /// <param name="path">The WAV to write.</param>
    /// <param name="rate">Its sample rate.</param>
    /// <param name="format">Its sample format.</param>
    /// <param name="codec">Decodes the frames.</param>
    /// <param name="denormalize">Codec features of model-space frames (a copy the caller disposes).</param>
    /// <param name="targetSamples">Samples asked for: decoding gives whole hops, so the last is cut.</param>
    /// <param name="reference">The training songs' reference the audio is measured against, if any.</param>
    /// <param name="model">The checkpoint, named when its output is NaN.</param>
    public GenerationOutput(string path, int rate, SampleFormat format, Codecs.IFrameCodec codec, Func<Tensor, Tensor> denormalize,
        long targetSamples, MusicalReference? reference, string model)
    {
        this.denormalize = denormalize;
        this.targetSamples = targetSamples;
        Meter = new OutputMeter(rate, reference);
        wav = AudioFile.CreateWav(path, rate, format);
        decoder = new StreamingDecoder(codec, samples =>
        {
            var keep = (int)Math.Clamp(targetSamples - written, 0, samples.Length);
            if (keep == 0) return;
            var clipped = samples.AsSpan(0, keep);
            // The writer clips what its format cannot hold (s16 beyond ±1, infinities) and counts it; a NaN means the weights themselves are broken.
            for (var i = 0; i < clipped.Length; i++)
                if (float.IsNaN(clipped[i]))
                    throw InputException.ForFile(model, $"the model produced NaN at {(written + i) / (double)rate:F2} s; the checkpoint's weights are not usable");
            wav.Write(clipped);
            for (var i = 0; i < clipped.Length; i++) clipped[i] = wav.Stored(clipped[i]);   // measured as the file holds it
            Meter.Add(clipped);
            written += keep;
        });
    }

    /// <summary>What the decoded audio measures.</summary>
    public OutputMeter Meter { get; }

    /// <summary>Takes a chunk of model-space frames [chunk, features], valid during the call only.</summary>
    public void Push(Tensor chunk)
    {
        using var features = denormalize(chunk);
        decoder.Push(features);
    }

    /// <summary>Decodes what is left and puts the file under its name.</summary>
    public void Complete()
    {
        decoder.Finish();
        wav.Complete();
    }

    public void Dispose()
    {
        wav.Dispose();
        Meter.Dispose();
    }
}
