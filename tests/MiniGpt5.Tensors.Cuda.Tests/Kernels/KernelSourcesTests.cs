using System.Text.RegularExpressions;
using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda.Tests.Kernels;

public sealed class KernelSourcesTests
{
    [Fact]
    public void Every_module_is_embedded_with_its_entry_points()
    {
        Assert.Equal(["attention", "conv", "elementwise", "indexing", "norms", "reduce", "rope", "softmax"], KernelSources.Modules);
        Assert.Equal(["im2col"], KernelSources.EntryPoints(KernelSources.Read("conv")));
        Assert.Equal(["reduce_rows"], KernelSources.EntryPoints(KernelSources.Read("reduce")));
        Assert.Equal(["embedding"], KernelSources.EntryPoints(KernelSources.Read("indexing")));
        Assert.Equal(["ew_unary", "ew_binary", "ew_where", "ew_masked_fill"], KernelSources.EntryPoints(KernelSources.Read("elementwise")));
        Assert.Equal(["rms_norm", "layer_norm", "group_norm"], KernelSources.EntryPoints(KernelSources.Read("norms")));
        Assert.Equal(["softmax_rows"], KernelSources.EntryPoints(KernelSources.Read("softmax")));
        Assert.Equal(["rope"], KernelSources.EntryPoints(KernelSources.Read("rope")));
        Assert.Equal(["flash_attention"], KernelSources.EntryPoints(KernelSources.Read("attention")));
    }

    [Fact]
    public void Modules_are_well_formed()
    {
        foreach (var module in KernelSources.Modules)
        {
            var source = KernelSources.Read(module);
            Assert.Contains("#include \"common.cuh\"", source, StringComparison.Ordinal);
            Assert.Equal(source.Count(c => c == '{'), source.Count(c => c == '}'));
            Assert.Equal(source.Count(c => c == '('), source.Count(c => c == ')'));

            // NVRTC runs without the toolkit headers: no other include may appear.
            Assert.All(Regex.Matches(source, "#include\\s+[\"<]([^\">]+)[\">]").Select(m => m.Groups[1].Value), h => Assert.Equal(KernelSources.CommonHeader, h));
        }

        var header = KernelSources.Read(KernelSources.CommonHeader);
        Assert.Contains("#pragma once", header, StringComparison.Ordinal);
        Assert.Equal(header.Count(c => c == '{'), header.Count(c => c == '}'));
    }

    [Fact]
    public void Unknown_sources_are_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => KernelSources.Read("nope"));
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
        Assert.Contains("attention", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_constants_match_the_CSharp_side()
    {
        var header = KernelSources.Read(KernelSources.CommonHeader);
        Assert.Equal(ElementwiseLayout.MaxDims, Define(header, "MAX_DIMS"));
        Assert.Equal(ElementwiseLayout.MaxOperands, Define(header, "MAX_OPERANDS"));
        Assert.Equal((int)DType.Float32, Define(header, "DT_F32"));
        Assert.Equal((int)DType.Float16, Define(header, "DT_F16"));
        Assert.Equal((int)DType.BFloat16, Define(header, "DT_BF16"));
        Assert.Equal((int)DType.Int32, Define(header, "DT_I32"));
        Assert.Equal((int)DType.Int64, Define(header, "DT_I64"));
        Assert.Equal((int)DType.Bool, Define(header, "DT_BOOL"));
        Assert.Equal((int)DType.UInt8, Define(header, "DT_U8"));
        Assert.Equal((int)DType.Int8, Define(header, "DT_I8"));
        Assert.Equal((int)DType.Int16, Define(header, "DT_I16"));

        var attention = KernelSources.Read("attention");
        Assert.Equal(LaunchConfig.AttentionWarps, Define(attention, "ATT_WARPS"));
        Assert.Equal(LaunchConfig.AttentionMaxHeadDim, Define(attention, "ATT_MAX_D"));
    }

    [Theory]
    [InlineData(OpKind.Copy, "U_COPY")]
    [InlineData(OpKind.Neg, "U_NEG")]
    [InlineData(OpKind.Abs, "U_ABS")]
    [InlineData(OpKind.Exp, "U_EXP")]
    [InlineData(OpKind.Log, "U_LOG")]
    [InlineData(OpKind.Sqrt, "U_SQRT")]
    [InlineData(OpKind.Rsqrt, "U_RSQRT")]
    [InlineData(OpKind.Sin, "U_SIN")]
    [InlineData(OpKind.Cos, "U_COS")]
    [InlineData(OpKind.Tanh, "U_TANH")]
    [InlineData(OpKind.Sigmoid, "U_SIGMOID")]
    [InlineData(OpKind.Relu, "U_RELU")]
    [InlineData(OpKind.Gelu, "U_GELU")]
    [InlineData(OpKind.GeluTanh, "U_GELU_TANH")]
    [InlineData(OpKind.QuickGelu, "U_QUICK_GELU")]
    [InlineData(OpKind.Silu, "U_SILU")]
    [InlineData(OpKind.Reciprocal, "U_RECIPROCAL")]
    [InlineData(OpKind.LogicalNot, "U_LOGICAL_NOT")]
    [InlineData(OpKind.Clamp, "U_CLAMP")]
    [InlineData(OpKind.Fill, "U_FILL")]
    public void Unary_codes_match_the_kernel(OpKind kind, string define) =>
        Assert.Equal(Define(KernelSources.Read("elementwise"), define), ElementwiseCodes.Unary(kind));

    [Theory]
    [InlineData(OpKind.Add, "B_ADD")]
    [InlineData(OpKind.Sub, "B_SUB")]
    [InlineData(OpKind.Mul, "B_MUL")]
    [InlineData(OpKind.Div, "B_DIV")]
    [InlineData(OpKind.Pow, "B_POW")]
    [InlineData(OpKind.Maximum, "B_MAXIMUM")]
    [InlineData(OpKind.Minimum, "B_MINIMUM")]
    [InlineData(OpKind.Eq, "B_EQ")]
    [InlineData(OpKind.Ne, "B_NE")]
    [InlineData(OpKind.Lt, "B_LT")]
    [InlineData(OpKind.Le, "B_LE")]
    [InlineData(OpKind.Gt, "B_GT")]
    [InlineData(OpKind.Ge, "B_GE")]
    [InlineData(OpKind.LogicalAnd, "B_LOGICAL_AND")]
    [InlineData(OpKind.LogicalOr, "B_LOGICAL_OR")]
    public void Binary_codes_match_the_kernel(OpKind kind, string define) =>
        Assert.Equal(Define(KernelSources.Read("elementwise"), define), ElementwiseCodes.Binary(kind));

    [Theory]
    [InlineData(OpKind.Sum, "R_SUM")]
    [InlineData(OpKind.Mean, "R_MEAN")]
    [InlineData(OpKind.Amax, "R_AMAX")]
    [InlineData(OpKind.Amin, "R_AMIN")]
    [InlineData(OpKind.Argmax, "R_ARGMAX")]
    [InlineData(OpKind.Argmin, "R_ARGMIN")]
    [InlineData(OpKind.Var, "R_VAR")]
    public void Reduction_codes_match_the_kernel(OpKind kind, string define) =>
        Assert.Equal(Define(KernelSources.Read("reduce"), define), CudaBackend.ReduceCode(kind));

    [Fact]
    public void The_scalar_and_fill_codes_match_the_kernel()
    {
        var source = KernelSources.Read("elementwise");
        Assert.Equal(ElementwiseCodes.ScalarBase, Define(source, "U_SCALAR_BASE"));
        Assert.Equal(ElementwiseCodes.Fill, Define(source, "U_FILL"));
        Assert.Equal(-1, ElementwiseCodes.Unary(OpKind.Matmul));
        Assert.Equal(-1, ElementwiseCodes.Binary(OpKind.Neg));
    }

    private static int Define(string source, string name)
    {
        var match = Regex.Match(source, $@"#define\s+{name}\s+(\d+)\b");
        Assert.True(match.Success, $"#define {name} not found");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
