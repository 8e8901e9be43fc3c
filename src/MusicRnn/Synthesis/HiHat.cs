using System.Runtime.CompilerServices;

namespace MusicRnn.Synthesis;

/// <summary>
/// Hi-hats: white noise high-passed to leave only the sizzle above ~7 kHz, with a decay of a
/// few tens of milliseconds (closed) or a couple of hundred (open). They carry the groove's
/// subdivision: eighths or sixteenths by seed, accented on the off-beats, with a seeded
/// velocity jitter because a drummer never hits two hats the same.
/// </summary>
internal static class HiHat
{
    public static void Render(Span<float> mix, BeatGrid grid, SynthRandom random, double gain)
    {
        bool sixteenths = random.Chance(0.5);
        bool openOffbeats = random.Chance(0.5);
        double closedDecay = random.Range(0.025, 0.045);
        // 7 kHz keeps the hats out of the way of the snare's wires; at low sample rates the
        // cutoff falls to just below Nyquist, so the hats stay the highest voice.
        double cutoff = Math.Min(7000, 0.42 * grid.SampleRate);

        for (int bar = 0; bar < grid.Bars; bar++)
        {
            for (int step = 0; step < BeatGrid.StepsPerBar; step += sixteenths ? 1 : 2)
            {
                bool offbeat = step % 4 == 2;
                double accent = offbeat ? 1.0 : step % 4 == 0 ? 0.6 : 0.45;
                double velocity = accent * (1 + random.Range(-0.2, 0.2));
                bool open = offbeat && openOffbeats && random.Chance(0.6);
                Hit(mix, grid.StepStart(bar, step), grid.SampleRate, cutoff, open ? 0.16 : closedDecay, random, gain * velocity);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Hit(Span<float> mix, int start, int sampleRate, double cutoff, double decaySeconds, SynthRandom random, double gain)
    {
        int length = Math.Min((int)(5 * decaySeconds * sampleRate), mix.Length - start);
        // Two cascaded two-pole high-passes (24 dB/octave): a single one leaves enough hiss in
        // the mid range to sound like a shaker rather than a hat.
        var first = new StateVariableFilter(sampleRate, cutoff, 0.7);
        var second = new StateVariableFilter(sampleRate, cutoff, 0.7);
        int fade = Math.Max(1, (int)(0.005 * sampleRate));
        // exp(-t/τ) as a running product: one multiply per sample instead of an exp().
        double decayPerSample = Math.Exp(-1.0 / (decaySeconds * sampleRate));
        double decay = 1;
        for (int i = 0; i < length; i++)
        {
            first.Process(random.Noise());
            second.Process(first.High);
            double envelope = decay * Math.Min(1, (double)(length - i) / fade);
            decay *= decayPerSample;
            mix[start + i] += (float)(gain * envelope * second.High);
        }
    }
}
