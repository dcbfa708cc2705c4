using System.Text;

namespace Citadel.Kms.Keys;

/// <summary>Opaque pagination markers: the last item of the previous page, base64url-encoded.</summary>
public static class Markers
{
    /// <summary>Encodes a marker.</summary>
    public static string Encode(string lastId) => Convert.ToBase64String(Encoding.UTF8.GetBytes("m1:" + lastId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes a marker; null stays null; anything malformed is InvalidMarkerException.</summary>
    public static string? Decode(string? marker)
    {
        if (marker is null) return null;
        try
        {
            var padded = marker.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            if (text.StartsWith("m1:", StringComparison.Ordinal)) return text[3..];
        }
        catch (FormatException) { }
        throw new KmsException(KmsErrorCode.InvalidMarker, "Invalid marker.");
    }
}
