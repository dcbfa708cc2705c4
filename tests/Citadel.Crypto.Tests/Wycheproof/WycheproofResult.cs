namespace Citadel.Crypto.Tests.Wycheproof;

/// <summary>The expected outcome of a Wycheproof test case.</summary>
public enum WycheproofResult
{
    /// <summary>A correct implementation must accept the case.</summary>
    Valid,
    /// <summary>A correct implementation must reject the case.</summary>
    Invalid,
    /// <summary>Either outcome is allowed (legacy or borderline inputs).</summary>
    Acceptable,
}
