using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// A codec that streams itself: the decode of one of its frames depends on frames far from it
/// (Griffin-Lim rebuilds a window of phases together), so a caller that has the signal or the
/// frames in pieces hands them to the codec's own encoding and decoding streams instead of
/// decoding chunks with one frame of context (docs/ARCHITECTURE.md, "Codecs").
/// </summary>
/// <remarks>
/// Contract: the frames an <see cref="IEncodingStream"/> returns over all its pushes and its
/// finish, one after another, are exactly <see cref="IFrameCodec.Encode"/> of all the samples; the
/// samples an <see cref="IDecodingStream"/> returns are exactly <see cref="IFrameCodec.Decode"/>
/// of all the frames, however the input was cut. Both hold a bounded amount, whatever the length.
/// </remarks>
public interface IStreamingCodec : IFrameCodec
{
    /// <summary>Starts encoding a signal that arrives in blocks.</summary>
    IEncodingStream StartEncoding();

    /// <summary>Starts decoding frames that arrive in chunks.</summary>
    IDecodingStream StartDecoding();
}

/// <summary>Samples in, in blocks; the frames they complete out (see <see cref="IStreamingCodec"/>).</summary>
public interface IEncodingStream
{
    /// <summary>Adds samples; returns the frames now complete, [frames, FeatureCount] float32 on the CPU (possibly none).</summary>
    Tensor Push(ReadOnlySpan<float> samples);

    /// <summary>Ends the signal; returns the frames that cover its end. No samples may follow.</summary>
    Tensor Finish();
}

/// <summary>Frames in, in chunks; the samples that are final out (see <see cref="IStreamingCodec"/>).</summary>
public interface IDecodingStream
{
    /// <summary>Frames held (pending, in context or in an overlap-add tail): bounded whatever the length decoded.</summary>
    int HeldFrames { get; }

    /// <summary>Adds frames [chunk, FeatureCount] (any device, any float dtype; not disposed); returns the samples now final (possibly none).</summary>
    float[] Push(Tensor frames);

    /// <summary>Ends the frames; returns every sample still held. No frames may follow.</summary>
    float[] Finish();
}
