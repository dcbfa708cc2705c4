namespace Citadel.Kms.Keys;

/// <summary>DryRun: when every check passed, the operation answers DryRunOperationException instead of acting.</summary>
public static class DryRuns
{
    /// <summary>Throws DryRunOperationException when the request is a dry run.</summary>
    public static void Check(bool? dryRun)
    {
        if (dryRun == true)
            throw new KmsException(KmsErrorCode.DryRunOperation, "The request would have succeeded, but the DryRun option is set.");
    }
}
