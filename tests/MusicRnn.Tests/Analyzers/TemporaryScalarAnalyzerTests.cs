using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using MusicRnn.Analyzers;

namespace MusicRnn.Tests.Analyzers;

public sealed class TemporaryScalarAnalyzerTests
{
    [Theory]
    [InlineData("a.mul_(factor);")]
    [InlineData("a.fill_(1);")]
    [InlineData("var c = a.clamp_min(0);")]
    [InlineData("var c = 1 - a;")]
    [InlineData("var c = a * 0.5;")]
    [InlineData("var c = a + 1;")]
    [InlineData("a.addcmul_(a, b, 1);")]
    [InlineData("a.add_(b, 1.0.ToScalar());")]
    [InlineData("a.mul_((Scalar)2.0);")]
    [InlineData("Scalar s = 2.0; a.mul_(s);")]
    [InlineData("var s = factor.ToScalar(); a.mul_(s);")]
    public void Should_report_MRNN001_where_a_number_becomes_a_temporary_scalar(string body)
    {
        // Given a snippet that makes a Scalar from a number for one call; When analysed
        var ids = Analyze(body).Select(d => d.Id).ToList();

        // Then MRNN001 is reported
        Assert.Contains("MRNN001", ids);
    }

    [Theory]
    [InlineData("var c = a + b;", "operator +(Tensor, Tensor)")]
    [InlineData("a += b;", "operator +(Tensor, Tensor)")]
    [InlineData("a.add_(b);", "Tensor.add_(Tensor)")]
    [InlineData("var c = a.add(b);", "Tensor.add(Tensor)")]
    [InlineData("using var s = 2.0.ToScalar(); var c = s - a;", "operator -(Scalar, Tensor)")]
    [InlineData("a.addcdiv_(a, b);", "Tensor.addcdiv_(Tensor, Tensor)")]
    [InlineData("var c = a.square();", "Tensor.square()")]
    [InlineData("var c = torch.add(a, b);", "torch.add(Tensor, Tensor)")]
    public void Should_report_MRNN002_where_a_torchsharp_member_makes_a_hidden_scalar(string body, string member)
    {
        // Given a snippet calling a member that creates a Scalar inside itself; When analysed
        var diagnostics = Analyze(body);

        // Then MRNN002 names that member, without an MRNN001 (the caller passed no number)
        var found = Assert.Single(diagnostics);
        Assert.Equal("MRNN002", found.Id);
        Assert.StartsWith(member, found.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("using var one = 1.0.ToScalar(); var c = a.add(b, one);")]
    [InlineData("using var f = factor.ToScalar(); a.mul_(f);")]
    [InlineData("using (var s = 0.5.ToScalar()) { a.mul_(s); }")]
    [InlineData("using var one = 1.0.ToScalar(); a.addcmul_(a, b, one).addcdiv_(a, b, one);")]
    [InlineData("var c = a - b;")]
    [InlineData("var c = a * b;")]
    [InlineData("var c = a.matmul(b).tanh_().mul_(b);")]
    [InlineData("a.addmm_(a, b);")]
    [InlineData("using var two = 2.0.ToScalar(); var c = a.pow(two);")]
    [InlineData("var c = a.sum(new long[] { 0 });")]
    public void Should_stay_quiet_on_scalars_that_outlive_the_call_and_tensor_operands(string body)
    {
        // Given a snippet whose Scalars a using owns, or that takes tensor operands only; When analysed
        var diagnostics = Analyze(body);

        // Then nothing is reported
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Should_accept_scalars_owned_by_a_field_or_returned_to_the_caller()
    {
        // Given a workspace whose Scalar lives in a field, and a factory returning one
        var source = """
            using TorchSharp;
            using static TorchSharp.torch;
            sealed class Workspace
            {
                private readonly Scalar half = 0.5.ToScalar();
                private Scalar? third;
                public Tensor Halve(Tensor t) { third = (1.0 / 3).ToScalar(); return t.mul(half).mul_(third); }
                public static Scalar Make(double x) => x.ToScalar();
            }
            """;

        // When analysed, Then nothing is reported
        Assert.Empty(AnalyzeSource(source));
    }

    [Fact]
    public void Should_suggest_the_overload_that_takes_every_scalar()
    {
        // Given add_ without alpha; When analysed
        var message = Assert.Single(Analyze("a.add_(b);")).GetMessage(System.Globalization.CultureInfo.InvariantCulture);

        // Then the message says why and names the safe overload
        Assert.Contains("passes 1 as a temporary Scalar", message, StringComparison.Ordinal);
        Assert.Contains("add_(Tensor target, Scalar alpha)", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.mul_(factor);", "using var s = factor.ToScalar();")]
    [InlineData("a.mul_(factor / 2);", "using var s = (factor / 2).ToScalar();")]
    [InlineData("a.fill_(-1);", "using var s = (-1).ToScalar();")]
    public void Should_suggest_a_using_declaration_that_compiles(string body, string suggestion)
    {
        // Given a number converted in place; When analysed
        var message = Assert.Single(Analyze(body)).GetMessage(System.Globalization.CultureInfo.InvariantCulture);

        // Then the suggested declaration is valid C# for that number
        Assert.Contains(suggestion, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_list_only_members_that_exist_in_the_referenced_torchsharp()
    {
        // Given the TorchSharp this project builds against
        var compilation = Compile("");

        // When every documentation ID of the list is resolved in it
        var missing = TemporaryScalarMembers.All.Keys
            .Where(id => DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation) is null)
            .ToList();

        // Then each names a real member (a TorchSharp upgrade that renames one fails here)
        Assert.Empty(missing);
        Assert.True(TemporaryScalarMembers.All.Count > 100);
    }

    private static ImmutableArray<Diagnostic> Analyze(string body) => AnalyzeSource($$"""
        using TorchSharp;
        using static TorchSharp.torch;
        static class Snippet
        {
            static void Run(Tensor a, Tensor b, double factor)
            {
                {{body}}
            }
        }
        """);

    private static ImmutableArray<Diagnostic> AnalyzeSource(string source)
    {
        var compilation = Compile(source);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return compilation.WithAnalyzers([new TemporaryScalarAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    private static CSharpCompilation Compile(string source)
    {
        // The test process's own assemblies: the runtime and the TorchSharp the project uses.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create("Snippet", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }
}
