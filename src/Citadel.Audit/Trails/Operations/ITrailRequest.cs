namespace Citadel.Audit.Trails.Operations;

/// <summary>
/// A request about one trail, by name or ARN (its Name, TrailName or ResourceId member, by operation): what
/// authorization checks the request on. A test checks that every request type with such a member implements it.
/// </summary>
public interface ITrailRequest
{
    /// <summary>The trail's name or ARN.</summary>
    string? Trail { get; }
}
