using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>
/// The periodic work of KMS keys, run by the server every minute: automatic rotation when due,
/// destruction of keys whose deletion waiting period has ended, and expiry of imported key material.
/// Every change is re-checked on a fresh copy of the key inside its atomic update, so an operation
/// that ran since the key was listed (CancelKeyDeletion, DisableKeyRotation, ...) wins.
/// </summary>
public sealed class KeyMaintenance
{
    private const int PageSize = 100;

    /// <summary>Runs one pass over all keys; returns the number of keys changed (rotated, destroyed or expired).</summary>
    public async Task<int> RunOnceAsync(KmsContext context, CancellationToken ct)
    {
        var changed = 0;
        string? after = null;
        while (true)
        {
            var page = await context.Keys.ListAsync(after, PageSize, ct).ConfigureAwait(false);
            foreach (var key in page)
            {
                ct.ThrowIfCancellationRequested();
                var now = context.Time.GetUtcNow();
                if (DeletionDue(key, now))
                {
                    if (await DestroyAsync(context, key.KeyId, now, ct).ConfigureAwait(false)) changed++;
                    continue;
                }
                if (ExpiryDue(key, now) && await ExpireAsync(context, key.KeyId, now, ct).ConfigureAwait(false)) changed++;
                if (RotationDue(key, now) && !context.Root.IsSealed && await RotateAsync(context, key.KeyId, now, ct).ConfigureAwait(false)) changed++;
            }
            if (page.Count < PageSize) return changed;
            after = page[^1].KeyId;
        }
    }

    private static bool DeletionDue(KeyRecord key, DateTimeOffset now)
        => key.KeyState == "PendingDeletion" && key.DeletionDate is { } date && date <= now;

    private static bool ExpiryDue(KeyRecord key, DateTimeOffset now)
        => key.Origin == "EXTERNAL" && key.ExpirationModel == "KEY_MATERIAL_EXPIRES" && key.ValidTo is { } validTo && validTo <= now && key.HasMaterial;

    private static bool RotationDue(KeyRecord key, DateTimeOffset now)
        => key.RotationEnabled && key.KeyState == "Enabled" && key.KeySpec == "SYMMETRIC_DEFAULT" && key.Origin == "AWS_KMS"
            && key.RotationPeriodInDays is not null && key.NextRotationDate is { } next && next <= now;

    // Checked again on the stored key under the write lock: a CancelKeyDeletion since the listing keeps the key.
    private static Task<bool> DestroyAsync(KmsContext context, string keyId, DateTimeOffset now, CancellationToken ct)
        => context.Keys.DestroyAsync(keyId, record => DeletionDue(record, now), ct);

    private static Task<bool> ExpireAsync(KmsContext context, string keyId, DateTimeOffset now, CancellationToken ct)
        => MutateIfAsync(context, keyId, record =>
        {
            if (!ExpiryDue(record, now)) return false;
            foreach (var version in record.Versions) version.WrappedMaterial = null;
            // A key pending deletion stays so; any other state becomes PendingImport.
            if (record.KeyState != "PendingDeletion") record.KeyState = "PendingImport";
            return true;
        }, forgetMaterial: true, ct);

    private static Task<bool> RotateAsync(KmsContext context, string keyId, DateTimeOffset now, CancellationToken ct)
        => MutateIfAsync(context, keyId, record =>
        {
            if (!RotationDue(record, now)) return false;
            record.Versions.Add(KeyFactory.NewVersion(context.Keys, record, context.Random, now, "AUTOMATIC"));
            var period = record.RotationPeriodInDays!.Value;
            var next = record.NextRotationDate!.Value.AddDays(period);
            // A key that missed rotations (it was disabled) rotates once, then every period from now.
            record.NextRotationDate = next > now ? next : now.AddDays(period);
            return true;
        }, forgetMaterial: false, ct);

    private static async Task<bool> MutateIfAsync(KmsContext context, string keyId, Func<KeyRecord, bool> change, bool forgetMaterial, CancellationToken ct)
    {
        try
        {
            var changed = await context.Keys.MutateAsync(keyId, change, ct).ConfigureAwait(false);
            if (changed && forgetMaterial) context.Keys.ForgetMaterial(keyId);
            return changed;
        }
        catch (KmsException e) when (e.Code == KmsErrorCode.NotFound)
        {
            return false; // destroyed since it was listed
        }
    }
}
