namespace MiniGpt5.Functions.Books;

/// <summary>How many steps the book has, and how many got an image.</summary>
/// <param name="Total">Steps in the plan.</param>
/// <param name="Done">Steps with an image.</param>
/// <param name="Failed">Steps without one.</param>
public sealed record BookCounts(int Total, int Done, int Failed);
