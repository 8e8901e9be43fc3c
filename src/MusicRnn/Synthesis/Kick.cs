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

        for (int bar = 0; bar < grid.Bars; bar++)
        {
            for (int beat = 0; beat < BeatGrid.BeatsPerBar; beat++)
                Hit(mix, grid.StepStart(bar, beat * BeatGrid.StepsPerBeat), grid.SampleRate, sound, gain);

            // Now and then a soft pickup kick on the last sixteenth of a four-bar phrase: a
            // classic push into the next phrase. It is quieter than the beat kicks, so every
            // beat keeps the strongest low end.
            if (bar % 4 == 3 && random.Chance(0.4))
                Hit(mix, grid.StepStart(bar, BeatGrid.StepsPerBar - 1), grid.SampleRate, sound, 0.45 * gain);
        }
    }

    private static void Hit(Span<float> mix, int start, int sampleRate, Sound sound, double gain)
    {
        int length = Math.Min((int)(6 * sound.DecaySeconds * sampleRate), mix.Length - start);
        int attack = Math.Max(1, (int)(0.001 * sampleRate));
        int fade = Math.Max(1, (int)(0.01 * sampleRate));
        double drive = 1.6;
        double phase = 0;
        for (int i = 0; i < length; i++)
        {
            double t = (double)i / sampleRate;
            double hz = sound.EndHz + (sound.StartHz - sound.EndHz) * Math.Exp(-t / sound.PitchDecaySeconds);
            // Integrating the frequency (not sin(2π f(t) t)) keeps the sweep free of phase jumps.
            phase += 2 * Math.PI * hz / sampleRate;
            double envelope = Math.Exp(-t / sound.DecaySeconds)
                * Math.Min(1, (double)i / attack)             // a 1 ms onset instead of a click
                * Math.Min(1, (double)(length - i) / fade);   // the cut-off tail fades instead of stepping
            double y = Math.Tanh(drive * envelope * Math.Sin(phase)) / Math.Tanh(drive);
            mix[start + i] += (float)(gain * y);
        }
    }

    private readonly record struct Sound(double StartHz, double EndHz, double PitchDecaySeconds, double DecaySeconds);
}
