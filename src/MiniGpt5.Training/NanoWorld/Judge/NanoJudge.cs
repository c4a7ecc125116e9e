using MiniGpt5.Imaging;

namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>
/// The automatic judge of the nano world: reads a step's text (<see cref="NanoCaptionParser"/>) and its image
/// (<see cref="NanoImageAnalyzer"/>) and says whether the image shows what the text says
/// (<see cref="StepJudgement.Matches"/>). Deterministic; thread-safe (no mutable state).
/// <para>
/// Pairing: each object the text names is paired with a distinct detected object (or with none) so as to
/// maximise, in order, the number of pairs that match fully, the number of attributes right over all pairs,
/// the number of pairs, and closeness (the smaller the summed distance from each found centre to its named
/// cell's centre). Only the
/// <see cref="MaxCandidates"/> largest detections take part in pairing; all of them count for the object count.
/// </para>
/// </summary>
public sealed class NanoJudge
{
    /// <summary>Detections considered for pairing (largest first).</summary>
    public const int MaxCandidates = 8;

    private readonly NanoImageAnalyzer _analyzer;

    /// <summary>A judge with <paramref name="options"/> (defaults when null).</summary>
    public NanoJudge(NanoJudgeOptions? options = null) => _analyzer = new NanoImageAnalyzer(options);

    /// <summary>What <paramref name="image"/> shows.</summary>
    public DetectedScene Analyze(Image image) => _analyzer.Analyze(image);

    /// <summary>
    /// Judges <paramref name="image"/> against the step text <paramref name="text"/> (a caption, optionally with a
    /// connective such as "then,"). A text that does not describe a scene yields a non-matching judgement with
    /// <see cref="StepJudgement.ParseProblem"/> set.
    /// </summary>
    public StepJudgement JudgeStep(string text, Image image)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(image);
        var detected = _analyzer.Analyze(image);
        return NanoCaptionParser.TryParse(text, out var expected, out var problem)
            ? Compare(expected!, detected) with { Text = text }
            : new StepJudgement(text, null, problem, detected, [], false, false);
    }

    /// <summary>Judges <paramref name="image"/> against a known scene.</summary>
    public StepJudgement JudgeStep(NanoScene expected, Image image)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(image);
        return Compare(expected, _analyzer.Analyze(image));
    }

    /// <summary>Compares a scene with a detection (the pairing rule is in the class summary).</summary>
    public static StepJudgement Compare(NanoScene expected, DetectedScene detected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(detected);
        var candidates = detected.Objects.OrderByDescending(o => o.Area).Take(MaxCandidates).ToArray();
        var wanted = expected.Objects;
        var assignment = new int[wanted.Count];
        var best = (int[])assignment.Clone();
        var bestScore = (Full: -1, Attributes: -1, Paired: -1, Distance: double.MaxValue);
        var taken = new bool[candidates.Length];
        Search(0);

        var pairs = new ObjectJudgement[wanted.Count];
        for (var i = 0; i < wanted.Count; i++)
        {
            pairs[i] = ObjectJudgement.Pair(wanted[i], best[i] < 0 ? null : candidates[best[i]]);
        }

        return new StepJudgement(
            null,
            expected,
            null,
            detected,
            pairs,
            detected.Background == expected.Background,
            detected.Objects.Count == wanted.Count);

        // Exhaustive over injective partial assignments: at most 9³ = 729 for three objects.
        void Search(int i)
        {
            if (i == wanted.Count)
            {
                var score = Score();
                if ((score.Full, score.Attributes, score.Paired, -score.Distance).CompareTo(
                    (bestScore.Full, bestScore.Attributes, bestScore.Paired, -bestScore.Distance)) > 0)
                {
                    bestScore = score;
                    Array.Copy(assignment, best, assignment.Length);
                }

                return;
            }

            assignment[i] = -1;
            Search(i + 1);
            for (var c = 0; c < candidates.Length; c++)
            {
                if (taken[c])
                {
                    continue;
                }

                taken[c] = true;
                assignment[i] = c;
                Search(i + 1);
                taken[c] = false;
            }
        }

        (int Full, int Attributes, int Paired, double Distance) Score()
        {
            int full = 0, attributes = 0, paired = 0;
            double distance = 0;
            for (var i = 0; i < wanted.Count; i++)
            {
                if (assignment[i] < 0)
                {
                    continue;
                }

                var found = candidates[assignment[i]];
                paired++;
                var pair = ObjectJudgement.Pair(wanted[i], found);
                full += pair.Matches ? 1 : 0;
                attributes += pair.AttributesRight;
                var (cx, cy) = NanoGeometry.CellCenter(wanted[i].Cell);
                distance += Math.Sqrt(((found.CenterX - cx) * (found.CenterX - cx)) + ((found.CenterY - cy) * (found.CenterY - cy)));
            }

            return (full, attributes, paired, distance);
        }
    }
}
