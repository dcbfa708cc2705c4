using System.Security.Cryptography;
using System.Text.Json;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;

namespace Citadel.Server.Services.S3;

/// <summary>The x-amz-server-side-encryption* request headers, their validation as S3 does it, and the response headers.</summary>
public static class SseHeaders
{
    private const string Prefix = "x-amz-server-side-encryption";

    /// <summary>The customer key of an SSE-C request (or of the copy source, with <paramref name="copySource"/>), validated; null without SSE-C headers.</summary>
    public static byte[]? CustomerKey(S3Request request, bool allowHttp, bool copySource = false)
    {
        var prefix = copySource ? "x-amz-copy-source-server-side-encryption-customer-" : Prefix + "-customer-";
        var algorithm = request.Header(prefix + "algorithm");
        var keyText = request.Header(prefix + "key");
        var md5Text = request.Header(prefix + "key-MD5");
        if (algorithm is null && keyText is null && md5Text is null) return null;
        if (algorithm is null || keyText is null || md5Text is null)
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide the algorithm, the key and the key MD5.");
        if (algorithm != "AES256")
            throw new ObjectStoreException(ObjectStoreError.InvalidEncryptionAlgorithm, "The encryption request that you specified is not valid. The valid value is AES256.");
        if (!allowHttp && !request.Http.Request.IsHttps)
            throw new ObjectStoreException(ObjectStoreError.InvalidRequest, "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.");
        byte[] key;
        byte[] md5;
        try
        {
            key = Convert.FromBase64String(keyText);
            md5 = Convert.FromBase64String(md5Text);
        }
        catch (FormatException)
        {
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The secret key was invalid for the specified algorithm.");
        }
        if (key.Length != 32)
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The secret key was invalid for the specified algorithm.");
        if (!CryptographicOperations.FixedTimeEquals(MD5.HashData(key), md5))
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The calculated MD5 hash of the key did not match the hash that was provided.");
        return key;
    }

    /// <summary>Combines the request's SSE headers with the bucket's default encryption into how to encrypt a new object.</summary>
    public static EncryptionRequest ForNewObject(S3Request request, BucketRecord bucket, bool allowHttp)
    {
        var mode = request.Header(Prefix);
        var keyId = request.Header(Prefix + "-aws-kms-key-id");
        var contextText = request.Header(Prefix + "-context");
        var bucketKeyText = request.Header(Prefix + "-bucket-key-enabled");
        var customerKey = CustomerKey(request, allowHttp);
        var blocked = bucket.Encryption?.BlockedEncryptionTypes ?? [];

        if (customerKey is not null)
        {
            if (mode is not null)
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Server Side Encryption with Customer provided key is incompatible with the encryption method specified");
            if (blocked.Contains("SSE-C"))
                throw new ObjectStoreException(ObjectStoreError.EncryptionTypeMismatch, "The requested encryption type SSE-C is blocked for this bucket.");
            return new EncryptionRequest(EncryptionRequest.SseC, CustomerKey: customerKey);
        }
        if (mode is not null && mode != EncryptionRequest.SseS3 && mode != EncryptionRequest.SseKms)
            throw new ObjectStoreException(mode == "aws:kms:dsse" ? ObjectStoreError.NotImplemented : ObjectStoreError.InvalidArgument,
                mode == "aws:kms:dsse" ? "Dual-layer SSE-KMS (aws:kms:dsse) is not supported by Citadel." : "The encryption method specified is not supported");
        if ((keyId is not null || contextText is not null) && mode != EncryptionRequest.SseKms)
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument,
                "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms");
        bool? bucketKey = bucketKeyText is null ? null : bucketKeyText.Equals("true", StringComparison.OrdinalIgnoreCase);

        var defaults = bucket.Encryption;
        if (mode is null)
        {
            if (defaults is { Algorithm: EncryptionRequest.SseKms })
                return new EncryptionRequest(EncryptionRequest.SseKms, defaults.KmsKeyId, null, bucketKey ?? defaults.BucketKeyEnabled);
            return EncryptionRequest.Default;
        }
        if (mode == EncryptionRequest.SseS3) return EncryptionRequest.Default;
        IReadOnlyDictionary<string, string>? context = null;
        if (contextText is not null)
        {
            try
            {
                context = JsonSerializer.Deserialize<Dictionary<string, string>>(Convert.FromBase64String(contextText));
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map");
            }
        }
        var useBucketKey = bucketKey ?? (defaults is { Algorithm: EncryptionRequest.SseKms, BucketKeyEnabled: true });
        if (keyId is null && defaults is { Algorithm: EncryptionRequest.SseKms }) keyId = defaults.KmsKeyId;
        return new EncryptionRequest(EncryptionRequest.SseKms, keyId, context, useBucketKey && context is null);
    }

    /// <summary>The response headers that describe an object's encryption, as AWS sends them.</summary>
    public static void Describe(ObjectEncryption encryption, Dictionary<string, string> headers)
    {
        switch (encryption.Mode)
        {
            case EncryptionRequest.SseC:
                headers[Prefix + "-customer-algorithm"] = "AES256";
                headers[Prefix + "-customer-key-MD5"] = encryption.CustomerKeyMd5!;
                break;
            case EncryptionRequest.SseKms:
                headers[Prefix] = EncryptionRequest.SseKms;
                headers[Prefix + "-aws-kms-key-id"] = encryption.KmsKeyArn!;
                if (encryption.BucketKeyEnabled) headers[Prefix + "-bucket-key-enabled"] = "true";
                break;
            default:
                headers[Prefix] = EncryptionRequest.SseS3;
                break;
        }
    }
}
