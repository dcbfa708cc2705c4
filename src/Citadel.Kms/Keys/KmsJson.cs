using System.Text.Json;
using System.Text.Json.Serialization;

namespace Citadel.Kms.Keys;

/// <summary>JSON options for stored KMS documents.</summary>
public static class KmsJson
{
    /// <summary>Options for stored documents (not the wire protocol).</summary>
    public static readonly JsonSerializerOptions Storage = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };
}
