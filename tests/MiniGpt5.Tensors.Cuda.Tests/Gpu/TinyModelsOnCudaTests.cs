using MiniGpt5.Models.Llama;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Testing;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Tensors.Cuda.Tests.Gpu;

/// <summary>
/// The tiny golden models (tests/golden: the same weights the PyTorch goldens were made with) run whole on the GPU
/// after <c>Module.MoveTo</c>, against the same model on the CPU. Float32 throughout, so the check is
/// ‖CUDA − CPU‖ / ‖CPU‖ ≤ 1e-4 (summation order and hardware exp only). Skipped without a GPU.
/// </summary>
public sealed class TinyModelsOnCudaTests
{
    private const double Tolerance = 1e-4;

    private static Device Gpu => Device.Cuda(0);

    [GpuFact]
    public void Llama_forward_of_a_prompt_matches_the_cpu()
    {
        CudaRuntime.Initialize(0);
        using var model = LlamaForCausalLM.Load(RepoPaths.GoldenFile("minigpt5", "llama", "gqa"));
        long[] prompt = [1, 17, 42, 99, 7, 250, 3, 64, 128];
        using var ids = Tensor.FromArray(prompt, [1, prompt.Length]);
        using var expected = model.Forward(ids);
        model.MoveTo(Gpu);
        using var gpuIds = ids.To(Gpu);
        using var actual = model.Forward(gpuIds);
        AssertNear(expected, actual, "LLaMA logits");
    }

    [GpuFact]
    public void Unet_forward_matches_the_cpu()
    {
        CudaRuntime.Initialize(0);
        using var unet = UNet2DConditionModel.FromPretrained(RepoPaths.GoldenFile("sd", "tiny-sd", "unet"));
        using var sample = Load("unet.sample");
        using var context = Load("unet.context");
        using var expected = unet.Forward(sample, 981, context);
        unet.MoveTo(Gpu);
        using var gpuSample = sample.To(Gpu);
        using var gpuContext = context.To(Gpu);
        using var actual = unet.Forward(gpuSample, 981, gpuContext);
        AssertNear(expected, actual, "UNet prediction");
    }

    [GpuFact]
    public void Vae_decode_matches_the_cpu()
    {
        CudaRuntime.Initialize(0);
        using var vae = AutoencoderKL.FromPretrained(RepoPaths.GoldenFile("sd", "tiny-sd", "vae"));
        using var latents = Load("vae.latents");
        using var expected = vae.Decode(latents);
        vae.MoveTo(Gpu);
        using var gpuLatents = latents.To(Gpu);
        using var actual = vae.Decode(gpuLatents);
        AssertNear(expected, actual, "VAE image");
    }

    private static Tensor Load(string name)
    {
        using var set = CheckpointSet.Open(RepoPaths.GoldenFile("sd", "models.safetensors"));
        var t = set[name];
        using var view = Tensor.FromStorage(t.Storage, t.DType, t.Shape, t.Strides, t.ElementOffset);
        return view.Clone().DetachFromScope();
    }

    private static void AssertNear(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(Gpu, actual.Device);
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        var e = expected.ToFloatArray();
        var g = actual.ToFloatArray();
        double difference = 0, reference = 0;
        for (var i = 0; i < e.Length; i++)
        {
            Assert.False(float.IsNaN(g[i]), $"{what}: element {i} is NaN on CUDA.");
            difference += ((double)g[i] - e[i]) * ((double)g[i] - e[i]);
            reference += (double)e[i] * e[i];
        }

        var relative = Math.Sqrt(difference / reference);
        Console.WriteLine($"{what}: relative error {relative:E2}");
        Assert.True(relative <= Tolerance, $"{what}: ‖CUDA − CPU‖ / ‖CPU‖ = {relative:E2} > {Tolerance:E0}.");
    }
}
