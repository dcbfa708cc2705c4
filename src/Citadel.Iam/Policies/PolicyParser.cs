using System.Text.Json;

namespace Citadel.Iam.Policies;

/// <summary>Parses and validates policy JSON into a <see cref="PolicyDocument"/>, with AWS-like error messages.</summary>
internal static class PolicyParser
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    public static PolicyDocument Parse(string json, PolicyKind kind)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new MalformedPolicyDocumentException("Syntax errors in policy.", e);
        }
        using (document)
        {
            return ParseRoot(document.RootElement, kind);
        }
    }

    private static PolicyDocument ParseRoot(JsonElement root, PolicyKind kind)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Syntax errors in policy.");
        }
        string? version = null, id = null;
        JsonElement? statementElement = null;
        foreach (var property in Properties(root))
        {
            switch (property.Name)
            {
                case "Version":
                    version = String(property.Value, "Version");
                    if (version is not (PolicyDocument.Version2012 or PolicyDocument.Version2008))
                    {
                        throw Malformed("Policy document must be version 2012-10-17 or 2008-10-17");
                    }
                    break;
                case "Id":
                    id = String(property.Value, "Id");
                    break;
                case "Statement":
                    statementElement = property.Value;
                    break;
                default:
                    throw Malformed($"Unknown field {property.Name}");
            }
        }
        if (statementElement is not { } statements)
        {
            throw Malformed("Missing required field Statement");
        }
        var parsed = statements.ValueKind switch
        {
            JsonValueKind.Object => [ParseStatement(statements, kind)],
            JsonValueKind.Array => statements.EnumerateArray().Select(s => ParseStatement(s, kind)).ToList(),
            _ => throw Malformed("Syntax errors in policy."),
        };
        var sids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var statement in parsed)
        {
            if (statement.Sid is { Length: > 0 } sid && !sids.Add(sid))
            {
                throw Malformed($"Statement IDs (SID) in a single policy must be unique: {sid}");
            }
        }
        return new PolicyDocument { Version = version ?? PolicyDocument.Version2008, Id = id, Statements = parsed };
    }

    private static Statement ParseStatement(JsonElement element, PolicyKind kind)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Syntax errors in policy.");
        }
        string? sid = null, effect = null;
        PolicyPrincipal? principal = null, notPrincipal = null;
        List<string>? actions = null, notActions = null, resources = null, notResources = null;
        List<Condition> conditions = [];
        foreach (var property in Properties(element))
        {
            switch (property.Name)
            {
                case "Sid": sid = String(property.Value, "Sid"); break;
                case "Effect": effect = String(property.Value, "Effect"); break;
                case "Principal": principal = ParsePrincipal(property.Value); break;
                case "NotPrincipal": notPrincipal = ParsePrincipal(property.Value); break;
                case "Action": actions = ParseActions(property.Value); break;
                case "NotAction": notActions = ParseActions(property.Value); break;
                case "Resource": resources = ParseResources(property.Value); break;
                case "NotResource": notResources = ParseResources(property.Value); break;
                case "Condition": conditions = ParseConditions(property.Value); break;
                default: throw Malformed($"Unknown field {property.Name}");
            }
        }
        if (effect is null)
        {
            throw Malformed("Statement must contain an Effect");
        }
        if (effect is not ("Allow" or "Deny"))
        {
            throw Malformed("Effect must be Allow or Deny");
        }
        Exclusive(actions, notActions, "Action", "NotAction", required: true);
        Exclusive(resources, notResources, "Resource", "NotResource", required: kind != PolicyKind.Any);
        Exclusive(principal, notPrincipal, "Principal", "NotPrincipal", required: kind == PolicyKind.Resource);
        if (kind == PolicyKind.Identity && (principal is not null || notPrincipal is not null))
        {
            throw Malformed("Policy document should not specify a principal.");
        }
        if (kind == PolicyKind.Identity && sid is not null && !sid.All(char.IsAsciiLetterOrDigit))
        {
            throw Malformed("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
        }
        return new Statement
        {
            Sid = sid,
            Effect = effect == "Allow" ? Effect.Allow : Effect.Deny,
            Principal = principal,
            NotPrincipal = notPrincipal,
            Actions = actions,
            NotActions = notActions,
            Resources = resources,
            NotResources = notResources,
            Conditions = conditions,
        };
    }

    private static void Exclusive(object? positive, object? negative, string name, string notName, bool required)
    {
        if (positive is not null && negative is not null)
        {
            throw Malformed($"{name} and {notName} cannot both be present");
        }
        if (required && positive is null && negative is null)
        {
            throw Malformed($"Missing required field {name}");
        }
    }

    private static List<string> ParseActions(JsonElement element)
    {
        var actions = StringOrArray(element, "Action");
        foreach (var action in actions)
        {
            var colon = action.IndexOf(':', StringComparison.Ordinal);
            if (action != "*" && (colon <= 0 || colon == action.Length - 1))
            {
                throw Malformed($"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. Invalid action: {action}");
            }
        }
        return actions;
    }

    private static List<string> ParseResources(JsonElement element)
    {
        var resources = StringOrArray(element, "Resource");
        foreach (var resource in resources)
        {
            if (resource != "*" && !resource.StartsWith("arn:", StringComparison.Ordinal))
            {
                throw Malformed($"Resource {resource} must be in ARN format or \"*\".");
            }
        }
        return resources;
    }

    private static PolicyPrincipal ParsePrincipal(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString() == "*" ? new PolicyPrincipal { IsWildcard = true } : throw Malformed("Invalid principal in policy");
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Invalid principal in policy");
        }
        var principal = new PolicyPrincipal();
        foreach (var property in Properties(element))
        {
            var values = StringOrArray(property.Value, "Principal");
            principal = property.Name switch
            {
                "AWS" => principal with { Aws = values, IsWildcard = principal.IsWildcard || values.Contains("*") },
                "Service" => principal with { Service = values },
                "Federated" => principal with { Federated = values },
                "CanonicalUser" => principal with { CanonicalUser = values },
                _ => throw Malformed($"Invalid principal in policy: unknown principal type {property.Name}"),
            };
        }
        return principal;
    }

    private static List<Condition> ParseConditions(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Syntax errors in policy.");
        }
        var conditions = new List<Condition>();
        foreach (var block in element.EnumerateObject())
        {
            var op = ConditionOperator.TryParse(block.Name) ?? throw Malformed($"Invalid Condition type : {block.Name}");
            if (block.Value.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("Syntax errors in policy.");
            }
            foreach (var entry in block.Value.EnumerateObject())
            {
                if (!entry.Name.Contains(':', StringComparison.Ordinal))
                {
                    throw Malformed($"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. Invalid condition key: {entry.Name}");
                }
                var values = ConditionValues(entry.Value);
                foreach (var value in values)
                {
                    if (!ConditionOperators.IsValidPolicyValue(op.Kind, value))
                    {
                        throw Malformed($"Invalid Condition value for {block.Name} on {entry.Name}: {value}");
                    }
                }
                conditions.Add(new Condition { Operator = op, Key = entry.Name, Values = values });
            }
        }
        return conditions;
    }

    private static List<string> ConditionValues(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            return element.EnumerateArray().Select(ScalarText).ToList();
        }
        return [ScalarText(element)];
    }

    private static string ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw Malformed("Syntax errors in policy."),
    };

    private static List<string> StringOrArray(JsonElement element, string field)
    {
        var values = element.ValueKind switch
        {
            JsonValueKind.String => [element.GetString()!],
            JsonValueKind.Array => element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                ? e.GetString()! : throw Malformed($"{field} values must be strings")).ToList(),
            _ => throw Malformed($"{field} must be a string or an array of strings"),
        };
        if (values.Count == 0)
        {
            throw Malformed($"Missing required field {field}");
        }
        return values;
    }

    private static string String(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Malformed($"{field} must be a string");

    private static IEnumerable<JsonProperty> Properties(JsonElement element)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw Malformed($"Duplicate field {property.Name}");
            }
            yield return property;
        }
    }

    private static MalformedPolicyDocumentException Malformed(string message) => new(message);
}
