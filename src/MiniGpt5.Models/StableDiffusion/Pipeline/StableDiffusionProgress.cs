namespace MiniGpt5.Models.StableDiffusion.Pipeline;

/// <summary>Reported after each denoising step (and once for the VAE decode, with <see cref="Step"/> = <see cref="TotalSteps"/>).</summary>
/// <param name="Step">Model evaluations done so far.</param>
/// <param name="TotalSteps">Model evaluations in the run (51 for 50 PNDM steps).</param>
/// <param name="Timestep">The timestep just evaluated.</param>
/// <param name="Phase">"denoise" or "decode".</param>
public sealed record StableDiffusionProgress(int Step, int TotalSteps, double Timestep, string Phase);
