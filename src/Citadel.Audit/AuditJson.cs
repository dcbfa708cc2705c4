using System.Text.Json;
using System.Text.Json.Nodes;

namespace Citadel.Audit;

/// <summary>
/// A JSON value of an audit record (<c>requestParameters</c>, <c>responseElements</c>): a node tree, or a value that
/// writes itself straight into the record (an API call's request or response through a sanitizing serializer), so
/// the record of every call is written without building and copying a tree first.
/// </summary>
public abstract class AuditJson
{
    /// <summary>Writes the value.</summary>
    public abstract void WriteTo(Utf8JsonWriter writer);

    /// <summary>A node tree as an audit value.</summary>
    public static implicit operator AuditJson?(JsonNode? node) => node is null ? null : new Node(node);

    private sealed class Node(JsonNode node) : AuditJson
    {
        public override void WriteTo(Utf8JsonWriter writer) => node.WriteTo(writer);
    }
}
