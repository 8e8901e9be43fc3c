namespace MusicRnn.Synthesis;

/// <summary>
/// SplitMix64: a tiny generator whose output is fixed by its arithmetic alone, so a seed
/// means the same track on every runtime (System.Random's seeded sequence is an
/// implementation detail). Each voice forks its own stream, so a change to how one voice
/// draws numbers cannot shift another voice's pattern.
/// </summary>
internal sealed class SynthRandom
{
    private ulong _state;

    public SynthRandom(ulong seed) => _state = seed;

    /// <summary>An independent stream for one purpose (a voice), derived from this seed and a label.</summary>
    public static SynthRandom ForVoice(int seed, string voice)
    {
        // FNV-1a over the label: a stable hash (string.GetHashCode is randomised per process).
        ulong hash = 14695981039346656037UL;
        foreach (char c in voice) hash = (hash ^ c) * 1099511628211UL;
        var mixer = new SynthRandom(unchecked((ulong)(uint)seed) ^ hash);
        return new SynthRandom(mixer.NextUInt64());
    }

    public ulong NextUInt64()
    {
        unchecked
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, 1), from the top 53 bits (a double's mantissa).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Range(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, count).</summary>
    public int Next(int count) => (int)(NextDouble() * count);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>White noise in [-1, 1): the raw material of snares and hats.</summary>
    public double Noise() => 2 * NextDouble() - 1;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
