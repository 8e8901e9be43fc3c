using System.Runtime.CompilerServices;

namespace MusicRnn.Synthesis;

/// <summary>
/// The kick drum, four on the floor: a sine whose pitch falls fast from ~160 Hz to ~50 Hz
/// (the falling pitch is what the ear hears as the "thump"; the low tail is the weight),
/// under a short exponential decay, lightly saturated so the kick also has upper harmonics
/// that small speakers can reproduce.
/// </summary>
internal static class Kick
{
    public static void Render(Span<float> mix, BeatGrid grid, SynthRandom random, double gain)
    {
        // Seeded timbre: a tighter or boomier kick, tuned a little differently.
        var sound = new Sound(
            StartHz: random.Range(140, 180),
            EndHz: random.Range(46, 56),
            PitchDecaySeconds: random.Range(0.02, 0.035),
            DecaySeconds: random.Range(0.16, 0.26));

        // Every kick is the same drum hit at most at another level, so it is rendered once and
        // then copied onto the beats: four on the floor costs one hit's worth of arithmetic.
        float[] hit = Hit(grid.SampleRate, sound);
        for (int bar = 0; bar < grid.Bars; bar++)
        {
            for (int beat = 0; beat < BeatGrid.BeatsPerBar; beat++)
                Place(mix, hit, grid.StepStart(bar, beat * BeatGrid.StepsPerBeat), gain);

            // Now and then a soft pickup kick on the last sixteenth of a four-bar phrase: a
            // classic push into the next phrase. It is quieter than the beat kicks, so every
            // beat keeps the strongest low end.
            if (bar % 4 == 3 && random.Chance(0.4))
                Place(mix, hit, grid.StepStart(bar, BeatGrid.StepsPerBar - 1), 0.45 * gain);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Place(Span<float> mix, float[] hit, int start, double gain)
    {
        if (start >= mix.Length) return;
        int length = Math.Min(hit.Length, mix.Length - start);
        for (int i = 0; i < length; i++) mix[start + i] += (float)(gain * hit[i]);
    }

    private static float[] Hit(int sampleRate, Sound sound)
    {
        var hit = new float[(int)(6 * sound.DecaySeconds * sampleRate)];
        int attack = Math.Max(1, (int)(0.001 * sampleRate));
        int fade = Math.Max(1, (int)(0.01 * sampleRate));
        double drive = 1.6;
        double phase = 0;
        for (int i = 0; i < hit.Length; i++)
        {
            double t = (double)i / sampleRate;
            double hz = sound.EndHz + (sound.StartHz - sound.EndHz) * Math.Exp(-t / sound.PitchDecaySeconds);
            // Integrating the frequency (not sin(2π f(t) t)) keeps the sweep free of phase jumps.
            phase += 2 * Math.PI * hz / sampleRate;
            double envelope = Math.Exp(-t / sound.DecaySeconds)
                * Math.Min(1, (double)i / attack)                 // a 1 ms onset instead of a click
                * Math.Min(1, (double)(hit.Length - i) / fade);   // the cut-off tail fades instead of stepping
            hit[i] = (float)(Math.Tanh(drive * envelope * Math.Sin(phase)) / Math.Tanh(drive));
        }
        return hit;
    }

    private readonly record struct Sound(double StartHz, double EndHz, double PitchDecaySeconds, double DecaySeconds);
}
