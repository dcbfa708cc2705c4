namespace Citadel.Server.Services.S3;

/// <summary>What an S3 operation answers: status, headers, and a body (bytes, or a stream the endpoint copies and disposes).</summary>
public sealed class S3Response
{
    /// <summary>HTTP status.</summary>
    public int Status { get; init; } = 200;
    /// <summary>Response headers.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>A small body (XML).</summary>
    public byte[]? Body { get; init; }
    /// <summary>A streamed body (object data) and its length.</summary>
    public Stream? Content { get; init; }
    /// <summary>The streamed body's length.</summary>
    public long ContentLength { get; init; }
    /// <summary>The audit record's responseElements (for writes), if any.</summary>
    public Dictionary<string, object?>? AuditResponse { get; init; }

    /// <summary>An XML body.</summary>
    public static S3Response Xml(byte[] xml, int status = 200) => new() { Status = status, Body = xml };

    /// <summary>No body.</summary>
    public static S3Response Empty(int status = 200) => new() { Status = status };
}
