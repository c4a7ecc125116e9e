namespace MiniGpt5.Functions.Books;

/// <summary>How a step ended.</summary>
public enum StepStatus
{
    /// <summary>The image was made and written.</summary>
    Succeeded,

    /// <summary>No image: the step failed after its retries (the result says why).</summary>
    Failed,
}
