using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>Where an illustration run is (serialised as its name, so custom status reads well).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProgressPhase>))]
public enum ProgressPhase
{
    /// <summary>Reading and planning the manuscript.</summary>
    Planning,

    /// <summary>Steps are being illustrated.</summary>
    Illustrating,

    /// <summary>All steps ran; waiting for an <c>approve</c> or <c>regenerate:{step}</c> event.</summary>
    AwaitingReview,

    /// <summary>Writing the book.</summary>
    Assembling,

    /// <summary>The book is complete.</summary>
    Completed,

    /// <summary>The run failed (see the error).</summary>
    Failed,
}
