using System.Text.Json;

namespace Citadel.Crypto.Tests.Wycheproof;

/// <summary>One entry of <c>testGroups[].tests[]</c>, together with its group's parameters.</summary>
public sealed class WycheproofCase(JsonElement group, JsonElement test)
{
    public int TcId => test.GetProperty("tcId").GetInt32();

    public string Comment => test.TryGetProperty("comment", out var comment) ? comment.GetString() ?? "" : "";

    public IReadOnlyList<string> Flags => test.TryGetProperty("flags", out var flags)
        ? [.. flags.EnumerateArray().Select(f => f.GetString() ?? "")]
        : [];

    public WycheproofResult Result => test.GetProperty("result").GetString() switch
    {
        "valid" => WycheproofResult.Valid,
        "invalid" => WycheproofResult.Invalid,
        "acceptable" => WycheproofResult.Acceptable,
        var other => throw new InvalidDataException($"tcId {TcId}: unknown result '{other}'."),
    };

    /// <summary>A hex-encoded field of the test case.</summary>
    public byte[] Bytes(string name) => Convert.FromHexString(test.GetProperty(name).GetString() ?? "");

    /// <summary>An integer field of the test case.</summary>
    public int Int(string name) => test.GetProperty(name).GetInt32();

    /// <summary>A hex-encoded field of the test group.</summary>
    public byte[] GroupBytes(string name) => Convert.FromHexString(group.GetProperty(name).GetString() ?? "");

    /// <summary>An integer field of the test group.</summary>
    public int GroupInt(string name) => group.GetProperty(name).GetInt32();

    /// <summary>A string field of the test group, or null when absent.</summary>
    public string? GroupString(string name) => group.TryGetProperty(name, out var value) ? value.GetString() : null;

    public override string ToString() => $"tcId {TcId} ({Result}; {Comment}; flags: {string.Join(',', Flags)})";
}
