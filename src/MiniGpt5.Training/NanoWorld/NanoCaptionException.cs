namespace MiniGpt5.Training.NanoWorld;

/// <summary>A caption that does not describe a scene of the nano world; the message quotes it and says why.</summary>
public sealed class NanoCaptionException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public NanoCaptionException(string caption, string problem)
        : base($"Cannot read the scene from the caption \"{Shorten(caption)}\": {problem}")
    {
        Caption = caption;
        Problem = problem;
    }

    /// <summary>The caption as given.</summary>
    public string Caption { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }

    private static string Shorten(string caption) => caption.Length <= 300 ? caption : caption[..300] + "…";
}
