using System.Globalization;
using MusicRnn.Experiments;

namespace MusicRnn.Tests.Experiments;

public sealed class TableWriterTests
{
    private static List<string[]> TableRows(string markdown, string afterHeading)
    {
        // The rows of the first table after the heading, split into trimmed cells, without the header and rule.
        var lines = markdown.Split('\n');
        int start = Array.FindIndex(lines, l => l.StartsWith("## " + afterHeading, StringComparison.Ordinal));
        var table = lines.Skip(start).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToList();
        return table.Skip(2).Select(l => l.Trim('|').Split(" | ").Select(c => c.Trim()).ToArray()).ToList();
    }

    [Fact]
    public void Should_lay_out_training_time_like_the_essays_table_1()
    {
        // Given a 4 × 3 grid
        var grid = BenchFakes.Grid(BenchFakes.Archs, [1, 2, 3]);

        // When the table is rendered
        string md = TableWriter.Render(grid);

        // Then Table 1 has one row per architecture and one column per depth holding the sum of the epoch times
        Assert.Contains("| Model | 1 layer | 2 layers | 3 layers |", md, StringComparison.Ordinal);
        var rows = TableRows(md, "Seconds for 3 epochs");
        Assert.Equal(["Vanilla RNN", "LSTM", "GRU", "CW-RNN"], rows.Select(r => r[0]));
        var gru2 = grid.Models.Single(m => m.Name == "gru-2");
        Assert.Equal(gru2.EpochSeconds.Sum(), double.Parse(rows[2][2], CultureInfo.InvariantCulture), 1);
        Assert.DoesNotContain("essay", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_list_one_row_per_model_with_its_parameters_and_errors()
    {
        // Given a grid of five models (one architecture at three depths, another at two)
        var grid = BenchFakes.Grid(["rnn"], [1, 2, 3]) with
        {
            Models = [.. BenchFakes.Grid(["rnn"], [1, 2, 3]).Models, .. BenchFakes.Grid(["cwrnn"], [1, 2]).Models],
        };

        // When the table is rendered
        var rows = TableRows(TableWriter.Render(grid), "Models");

        // Then there is one row per model, with parameter count, the final errors, every baseline (the
        // best marked) and the ratio of the validation loss to the best baseline
        Assert.Equal(["rnn-1", "rnn-2", "rnn-3", "cwrnn-1", "cwrnn-2"], rows.Select(r => r[0]));
        var cw2 = grid.Models.Single(m => m.Name == "cwrnn-2");
        var row = rows.Single(r => r[0] == "cwrnn-2");
        Assert.Equal(cw2.Parameters.ToString("N0", CultureInfo.InvariantCulture), row[3]);
        Assert.Equal("never", row[5]);
        Assert.Equal(cw2.FinalValidationLoss!.Value, double.Parse(row[7], CultureInfo.InvariantCulture), 4);
        Assert.Equal("0.35 ★", row[8]);
        Assert.Equal("1.02", row[9]);
        Assert.Equal((cw2.FinalValidationLoss!.Value / 0.35).ToString("0.000", CultureInfo.InvariantCulture), row[10]);
    }

    [Theory]
    [InlineData("essay")]
    [InlineData("essay-code")]
    public void Should_show_the_essays_own_figures_beside_ours_for_the_essay_presets(string preset)
    {
        // Given an essay-preset grid missing the 3-layer GRU
        var grid = BenchFakes.Grid(BenchFakes.Archs, [1, 2, 3], preset: preset);
        grid = grid with { Models = [.. grid.Models.Where(m => m.Name != "gru-3")] };

        // When the table is rendered
        var rows = TableRows(TableWriter.Render(grid), "Seconds for");

        // Then each depth has an essay column with Table 1's seconds, and our missing cell is marked
        var gru = rows.Single(r => r[0] == "GRU");
        Assert.Equal(["215", "507", "761"], [gru[2], gru[4], gru[6]]);
        Assert.Equal("–", gru[5]);
        var lstm = rows.Single(r => r[0] == "LSTM");
        Assert.Equal(["311", "620", "1868"], [lstm[2], lstm[4], lstm[6]]);
        var cw = rows.Single(r => r[0] == "CW-RNN");
        Assert.Equal(["393", "892", "1346"], [cw[2], cw[4], cw[6]]);
        var rnn = rows.Single(r => r[0] == "Vanilla RNN");
        Assert.Equal(["79", "169", "254"], [rnn[2], rnn[4], rnn[6]]);
    }

    [Fact]
    public void Should_keep_a_pipe_in_a_name_inside_its_cell()
    {
        // Given a model whose name contains a pipe
        var grid = BenchFakes.Grid(["lstm"], [1]);
        grid = grid with { Models = [grid.Models[0] with { Name = "lstm|odd" }] };

        // When rendered
        var rows = TableRows(TableWriter.Render(grid), "Models");

        // Then the row still has all its cells: eight, two baselines and the ratio
        Assert.Equal(11, rows.Single().Length);
    }
}
