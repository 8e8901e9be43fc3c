using System.Globalization;
using MusicRnn.Models;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Objectives;

/// <summary>
/// The sample tier alone (Mehri et al. 2017's ablation): the same MLP over the previous
/// <c>--sample-frame</c> samples, with no recurrent tier conditioning it, trained on the same songs
/// with the same settings and scored on the same held-out samples. What a sample-level model's
/// recurrence adds is its gain over this rule; a frame tier that does not beat it has learned nothing
/// about the song beyond the last few samples.
/// </summary>
/// <param name="model">The sample-level model being measured; its one-tier version is trained.</param>
/// <param name="training">The model's own training settings (epochs, windows, batch, optimizer, seed).</param>
/// <param name="progress">Where the baseline's training shows its progress.</param>
public sealed class SampleTierBaseline(ModelSpec model, TrainingConfig training, IProgressSink progress) : Baseline
{
    /// <summary>The validation log's column is <c>sample_tier_loss</c>.</summary>
    public override string Name => "sample_tier";

    /// <inheritdoc/>
    public override string Rule => "the sample tier alone: the same MLP over the previous samples, no recurrent tier, trained the same way";

    /// <summary>Trains the one-tier model from the run's seed and returns its validation bits.</summary>
    public override BaselineLoss Measure(IReadOnlyList<TrainingSong> songs)
    {
        ArgumentNullException.ThrowIfNull(songs);
        var sample = model.SampleLevel ?? throw new InvalidOperationException("the sample-tier baseline belongs to a sample-level model");
        var spec = model with { SampleLevel = sample with { Tiers = 1 } };
        var objective = new SampleCategorical(sample.Levels);
        manual_seed(training.Seed);
        using var tier = ModelFactory.Create(spec);
        tier.to(songs[0].Frames.device);
        using var trainer = new Trainer(tier, training, objective);
        long perEpoch = trainer.IterationsPerEpoch(songs);
        progress.Begin("sample tier alone (baseline)", training.Epochs * perEpoch);
        for (int epoch = 1; epoch <= training.Epochs; epoch++)
            trainer.TrainEpoch(songs, record => progress.Report(record.Iteration,
                string.Create(CultureInfo.InvariantCulture, $"epoch {record.Epoch}/{training.Epochs} bits {record.Loss:G4}")));
        progress.Complete();
        return new(Name, trainer.ValidationLoss(songs),
            string.Create(CultureInfo.InvariantCulture, $"{tier.ParameterCount()} parameters, {training.Epochs} epochs"));
    }
}
