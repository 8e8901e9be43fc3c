using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// Turns mono audio into a sequence of real feature frames and back (docs/ARCHITECTURE.md, "Codecs").
/// A codec is either exact (<see cref="IsExact"/>: decoding inverts encoding up to float rounding)
/// or not (a magnitude codec rebuilds the phase it dropped, so its round trip is judged by
/// spectral distances instead of an SNR).
/// </summary>
/// <remarks>
/// Length contract: a song of L samples encodes to <see cref="FrameCount"/>(L) frames; the end
/// is zero-padded so no sample is lost (the MDCT and the overlapping spectral codecs also pad the
/// start, so that every sample lies in as many frames as any other; see MdctCodec and SpectralCodec).
/// <see cref="Decode"/> of F frames returns exactly F × <see cref="Hop"/> samples, whose first
/// L are the song; the codec does not remember L, so callers trim (or use
/// <see cref="FrameCodecExtensions.Decode(IFrameCodec, Tensor, int)"/>). Generated frames
/// have no "original" length and are simply decoded to F × Hop samples.
/// </remarks>
public interface IFrameCodec
{
    /// <summary>The codec's command-line name: one of <see cref="CodecFactory.Names"/> (fft, rfft, mdct, raw, stft, mel).</summary>
    string Name { get; }

    /// <summary>True when <see cref="Decode"/> inverts <see cref="Encode"/> up to float rounding.</summary>
    bool IsExact { get; }

    /// <summary>Frame length N in samples (<c>--frame</c>).</summary>
    int FrameLength { get; }

    /// <summary>Samples between the starts of consecutive frames.</summary>
    int Hop { get; }

    /// <summary>Real features per frame.</summary>
    int FeatureCount { get; }

    /// <summary>Frames that <see cref="Encode"/> makes from <paramref name="sampleCount"/> samples (0 for none).</summary>
    int FrameCount(int sampleCount);

    /// <summary>Encodes mono samples into frames, [frames, FeatureCount] float32 on the CPU.</summary>
    Tensor Encode(ReadOnlySpan<float> samples);

    /// <summary>
    /// Decodes frames [frames, FeatureCount] (any device, any float dtype) back into
    /// frames × <see cref="Hop"/> mono samples. The input tensor is not disposed.
    /// </summary>
    float[] Decode(Tensor frames);
}
