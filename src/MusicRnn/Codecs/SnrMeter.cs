namespace MusicRnn.Codecs;

/// <summary>
/// <see cref="Snr.SnrDb"/> accumulated over a signal that arrives in blocks; after the last block
/// it equals the whole-signal value exactly (same float64 sums in the same order).
/// </summary>
public sealed class SnrMeter
{
    private double _signal;
    private double _noise;

    /// <summary>Samples compared so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds the next block of reference samples and the samples that came back for them.</summary>
    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> test)
    {
        if (reference.Length != test.Length)
            throw new ArgumentException($"the blocks differ in length: {reference.Length} and {test.Length} samples", nameof(test));
        for (var i = 0; i < reference.Length; i++)
        {
            double r = reference[i];
            var e = r - test[i];
            _signal += r * r;
            _noise += e * e;
        }
        Count += reference.Length;
    }

    /// <summary>The SNR so far in dB: +∞ for an exact copy, −∞ for an error against digital silence.</summary>
    public double SnrDb => _noise == 0 ? double.PositiveInfinity : _signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(_signal / _noise);
}
