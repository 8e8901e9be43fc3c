using System.Runtime.CompilerServices;

namespace MusicRnn.Synthesis;

/// <summary>
/// The bass line: a saw or square (seeded) two to three octaves below middle C, playing the root of
/// each chord so the harmony is anchored from below, through a resonant low-pass whose cutoff
/// snaps open on every note and closes again — the "pluck" of analogue bass. Its notes sit
/// mostly between the beats, where the kick is not, and it ducks under the kick on every beat.
/// </summary>
internal static class Bass
{
    // (step, length in steps) of the notes in one bar; none starts on a beat (steps 0, 4, 8, 12),
    // which belongs to the kick.
    private static readonly (int Step, int Length)[][] Patterns =
    [
        [(2, 2), (6, 2), (10, 2), (14, 2)],                                  // off-beat eighths: the house bass
        [(1, 1), (2, 1), (3, 1), (5, 1), (6, 1), (7, 1), (9, 1), (10, 1), (11, 1), (13, 1), (14, 1), (15, 1)], // rolling sixteenths between kicks
        [(2, 1), (3, 1), (6, 2), (10, 1), (11, 1), (14, 2)],                 // gallop: a sixteenth pickup into each off-beat
    ];

    public static void Render(Span<float> mix, BeatGrid grid, ChordProgression chords, SynthRandom random, double gain)
    {
        var pattern = random.Pick(Patterns);
        var sound = new Sound(
            Square: random.Chance(0.35),
            BaseCutoffHz: random.Range(180, 350),
            EnvelopeHz: random.Range(700, 1600),
            FilterDecaySeconds: random.Range(0.06, 0.14),
            Q: random.Range(1.2, 3.0));
        double octaveJumps = random.Range(0, 0.3);

        for (int bar = 0; bar < grid.Bars; bar++)
        {
            // E1..D#2 (41–78 Hz): low enough to be felt, high enough that its second and third
            // harmonics (where the ear finds a bass's pitch) land in 80–250 Hz.
            int root = 28 + Modulo(chords.AtBar(bar).Root - 4, 12);
            foreach (var (step, steps) in pattern)
            {
                int note = root + (random.Chance(octaveJumps) ? 12 : 0);
                int start = grid.StepStart(bar, step);
                int gate = (int)(0.85 * steps * grid.SamplesPerStep);
                Note(mix, grid, start, gate, Oscillator.MidiToHz(note), sound, gain);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Note(Span<float> mix, BeatGrid grid, int start, int gate, double hz, Sound sound, double gain)
    {
        int rate = grid.SampleRate;
        int release = Math.Max(1, (int)(0.01 * rate));
        int length = Math.Min(gate + release, mix.Length - start);
        int attack = Math.Max(1, (int)(0.003 * rate));
        var filter = new StateVariableFilter(rate, sound.BaseCutoffHz + sound.EnvelopeHz, sound.Q);
        double dt = hz / rate;
        double phase = 0;
        for (int i = 0; i < length; i++)
        {
            // The cutoff envelope is slow next to the audio, so it is followed at the control rate.
            if (i % StateVariableFilter.ControlPeriod == 0)
                filter.Tune(sound.BaseCutoffHz + sound.EnvelopeHz * Math.Exp(-(double)i / rate / sound.FilterDecaySeconds), sound.Q);
            filter.Process(sound.Square ? Oscillator.Square(phase, dt) : Oscillator.Saw(phase, dt));
            phase = Oscillator.Advance(phase, dt);
            // Short linear ramps at both ends: a note that starts or stops mid-cycle clicks otherwise.
            double amplitude = Math.Min(1, (double)i / attack) * (i < gate ? 1 : (double)(length - i) / release);
            int at = start + i;
            mix[at] += (float)(gain * grid.Duck(at, depth: 0.7) * amplitude * filter.Low);
        }
    }

    private static int Modulo(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    private readonly record struct Sound(bool Square, double BaseCutoffHz, double EnvelopeHz, double FilterDecaySeconds, double Q);
}
