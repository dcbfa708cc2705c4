namespace Citadel.Iam.Policies;

/// <summary>A policy document is not valid JSON or not a valid IAM policy; maps to AWS <c>MalformedPolicyDocument</c>.</summary>
public sealed class MalformedPolicyDocumentException : Exception
{
    /// <summary>Creates the exception with an AWS-like message saying what is wrong.</summary>
    public MalformedPolicyDocumentException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public MalformedPolicyDocumentException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
