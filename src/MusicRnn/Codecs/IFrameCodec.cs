using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// Turns mono audio into a sequence of real feature frames and back (DESIGN.md §2).
/// Every codec is an exact inverse up to float rounding.
/// </summary>
public interface IFrameCodec
{
    /// <summary>The codec's command-line name: fft, rfft, mdct or raw.</summary>
    string Name { get; }

    /// <summary>Frame length N in samples (<c>--frame</c>).</summary>
    int FrameLength { get; }

    /// <summary>Samples between the starts of consecutive frames.</summary>
    int Hop { get; }

    /// <summary>Real features per frame.</summary>
    int FeatureCount { get; }

    /// <summary>Encodes mono samples into frames, [frames, FeatureCount] float32 on the CPU.</summary>
    Tensor Encode(ReadOnlySpan<float> samples);

    /// <summary>Decodes frames [frames, FeatureCount] back into mono samples.</summary>
    float[] Decode(Tensor frames);
}
