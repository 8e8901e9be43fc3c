namespace MusicRnn.Synthesis;

/// <summary>A triad named by its root pitch class (0 = C … 9 = A) and whether its third is minor.</summary>
internal sealed record Chord(string Name, int Root, bool Minor)
{
    /// <summary>Root, third and fifth as semitones above the root: the notes the bass and arpeggio may use.</summary>
    public IReadOnlyList<int> Intervals => Minor ? [0, 3, 7] : [0, 4, 7];
}

/// <summary>
/// The harmony: a four-chord loop in A natural minor, the loop that carries most trance and
/// house (i–VI–III–VII is the archetype). The seed picks one of a few such loops — in turn, so
/// seeds 0, 1, 2, 3 give four different harmonies and seed 0 the archetype — and its random
/// stream whether each chord lasts one bar or two. Every loop starts on the tonic, so the key
/// is heard at once, and neighbouring chords always differ.
/// </summary>
internal sealed class ChordProgression
{
    private static readonly Chord Am = new("Am", 9, Minor: true);
    private static readonly Chord Dm = new("Dm", 2, Minor: true);
    private static readonly Chord Em = new("Em", 4, Minor: true);
    private static readonly Chord F = new("F", 5, Minor: false);
    private static readonly Chord C = new("C", 0, Minor: false);
    private static readonly Chord G = new("G", 7, Minor: false);

    private static readonly Chord[][] Loops =
    [
        [Am, F, C, G],   // i–VI–III–VII: the "epic" minor loop
        [Am, Dm, G, C],  // i–iv–VII–III: a circle of fourths, strong pull back home
        [Am, G, F, G],   // i–VII–VI–VII: the descending "Andalusian" shape
        [Am, F, Dm, Em], // i–VI–iv–v: darker, no major dominant
    ];

    private ChordProgression(IReadOnlyList<Chord> chords, int barsPerChord)
    {
        Chords = chords;
        BarsPerChord = barsPerChord;
    }

    public IReadOnlyList<Chord> Chords { get; }

    /// <summary>1 or 2: how many bars each chord is held.</summary>
    public int BarsPerChord { get; }

    public static ChordProgression Create(int seed, SynthRandom random) =>
        new(Loops[((seed % Loops.Length) + Loops.Length) % Loops.Length], random.Chance(0.5) ? 1 : 2);

    /// <summary>The chord sounding in a bar (0-based); the loop repeats for as long as the track lasts.</summary>
    public Chord AtBar(int bar) => Chords[bar / BarsPerChord % Chords.Count];
}
