using System.Runtime.CompilerServices;

namespace MusicRnn.Synthesis;

/// <summary>
/// The lead: an arpeggio that spells out each chord from just below middle C upwards, played by
/// three slightly detuned saws (the beating between them is the wide "supersaw" shimmer of
/// trance) with a plucked envelope, and echoed a dotted eighth later so the echoes fall
/// between the notes and thicken the rhythm. Order, speed, range and rests are seeded.
/// </summary>
internal static class Lead
{
    private enum Order { Up, Down, UpDown, Shuffled }

    public static void Render(Span<float> mix, BeatGrid grid, ChordProgression chords, SynthRandom random, double gain)
    {
        var order = (Order)random.Next(4);
        int stepsPerNote = random.Chance(0.6) ? 1 : 2;
        int octaves = random.Chance(0.5) ? 1 : 2;
        double restChance = random.Range(0, 0.2);
        var sound = new Sound(
            DetuneCents: random.Range(5, 14),
            DecaySeconds: random.Range(0.1, 0.25),
            BrightnessHz: random.Range(2000, 4000));

        // The lead is rendered alone first so its echo repeats only the lead, then mixed in.
        var lead = new float[mix.Length];
        for (int bar = 0; bar < grid.Bars; bar++)
        {
            var tones = ChordTones(chords.AtBar(bar), octaves);
            var sequence = Arrange(tones, order, random);
            for (int step = 0, n = 0; step < BeatGrid.StepsPerBar; step += stepsPerNote, n++)
            {
                // The first note of a bar is never dropped: it states the new chord.
                if (n > 0 && random.Chance(restChance)) continue;
                int start = grid.StepStart(bar, step);
                if (start >= lead.Length) break;
                Note(lead, grid.SampleRate, start, Oscillator.MidiToHz(sequence[n % sequence.Count]), sound, random);
            }
        }

        Echo(lead, delay: (int)Math.Round(3 * grid.SamplesPerStep), feedback: 0.35);
        MixDucked(mix, lead, grid, gain);
    }

    // Chord tones from A3..G#4 upwards: the root, third and fifth over one or two octaves, and
    // the next root on top so an upward run resolves.
    private static List<int> ChordTones(Chord chord, int octaves)
    {
        int root = 57 + ((chord.Root - 9 + 12) % 12);
        var tones = new List<int>();
        for (int octave = 0; octave < octaves; octave++)
            foreach (int interval in chord.Intervals) tones.Add(root + 12 * octave + interval);
        tones.Add(root + 12 * octaves);
        return tones;
    }

    private static List<int> Arrange(List<int> tones, Order order, SynthRandom random)
    {
        switch (order)
        {
            case Order.Down:
                return Enumerable.Reverse(tones).ToList();
            case Order.UpDown:
                // Up then back down without repeating the turning points.
                return [.. tones, .. Enumerable.Reverse(tones).Skip(1).Take(tones.Count - 2)];
            case Order.Shuffled:
                // A new seeded order per bar, like a player improvising on the chord.
                var shuffled = new List<int>(tones);
                for (int i = shuffled.Count - 1; i > 0; i--)
                {
                    int j = random.Next(i + 1);
                    (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
                }
                return shuffled;
            default:
                return tones;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Note(float[] lead, int rate, int start, double hz, Sound sound, SynthRandom random)
    {
        int length = Math.Min((int)(Math.Min(4 * sound.DecaySeconds, 0.6) * rate), lead.Length - start);
        int attack = Math.Max(1, (int)(0.002 * rate));
        int fade = Math.Max(1, (int)(0.01 * rate));
        var filter = new StateVariableFilter(rate, 600 + sound.BrightnessHz, 1.2);
        // Three voices at -d, 0, +d cents, each from a random phase so the chorus differs from note to note.
        Span<double> dt = [hz / rate * Cents(-sound.DetuneCents), hz / rate, hz / rate * Cents(sound.DetuneCents)];
        Span<double> phase = [random.NextDouble(), random.NextDouble(), random.NextDouble()];
        // exp(-t/τ) as a running product: one multiply per sample instead of an exp().
        double decayPerSample = Math.Exp(-1.0 / (sound.DecaySeconds * rate));
        double decay = 1;
        for (int i = 0; i < length; i++)
        {
            // The filter closes faster than the note fades: a bright pick, then a mellow ring.
            // Retuned at the control rate: the sweep is slow, tan() is not cheap.
            if (i % StateVariableFilter.ControlPeriod == 0) filter.Tune(600 + sound.BrightnessHz * Math.Exp(-(double)i / rate / 0.06), 1.2);
            double saws = 0;
            for (int v = 0; v < 3; v++)
            {
                saws += Oscillator.Saw(phase[v], dt[v]);
                phase[v] = Oscillator.Advance(phase[v], dt[v]);
            }
            filter.Process(saws / 3);
            double envelope = decay * Math.Min(1, (double)i / attack) * Math.Min(1, (double)(length - i) / fade);
            decay *= decayPerSample;
            lead[start + i] += (float)(envelope * filter.Low);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MixDucked(Span<float> mix, float[] lead, BeatGrid grid, double gain)
    {
        for (int i = 0; i < mix.Length; i++)
            mix[i] += (float)(gain * grid.Duck(i, depth: 0.5) * lead[i]);
    }

    private static double Cents(double cents) => Math.Pow(2, cents / 1200);

    // y[n] = x[n] + feedback·y[n - delay], in place: each echo is fed back, so it repeats and fades.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Echo(float[] signal, int delay, double feedback)
    {
        for (int i = delay; i < signal.Length; i++)
            signal[i] += (float)(feedback * signal[i - delay]);
    }

    private readonly record struct Sound(double DetuneCents, double DecaySeconds, double BrightnessHz);
}
