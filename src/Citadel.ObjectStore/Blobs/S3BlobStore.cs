using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Citadel.ObjectStore.Blobs;

/// <summary>
/// A backend that keeps the (already encrypted) blobs in a bucket of any S3-compatible service, so Citadel
/// can front an existing storage cluster as an encrypting gateway. A blob is one object under the key prefix.
/// A write buffers up to one part in memory: a blob that fits is one PutObject, a larger one a multipart
/// upload of equal parts (the last shorter) that is aborted when the write fails or is cancelled. Both are
/// atomic in S3, so a blob is visible only once complete. Reads are ranged GETs.
/// </summary>
/// <remarks>
/// The SDK's flexible checksums are computed and validated only where an operation requires them: many
/// S3-compatible servers do not accept the trailing checksums the SDK otherwise sends, and every blob is
/// authenticated on read by its own AEAD anyway.
/// </remarks>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private const int MaxParts = 10_000;
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _partSize;
    private readonly string _endpoint;

    /// <summary>Connects to the service <paramref name="settings"/> name; throws <see cref="ArgumentException"/> for invalid settings.</summary>
    public S3BlobStore(S3BlobStoreSettings settings)
    {
        var errors = settings.Validate(nameof(S3BlobStoreSettings));
        if (!settings.IsEnabled) errors = [.. errors, "S3BlobStoreSettings:Endpoint must be set."];
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(settings));
        _endpoint = settings.Endpoint!;
        _bucket = settings.Bucket!;
        _prefix = settings.NormalizedPrefix;
        _partSize = settings.PartSizeMiB << 20;
        var config = new AmazonS3Config
        {
            ServiceURL = settings.Endpoint,
            AuthenticationRegion = settings.Region,
            ForcePathStyle = settings.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.CaBundle is not null) config.HttpClientFactory = new CaBundleHttpClientFactory(settings.CaBundle);
        _client = new AmazonS3Client(new BasicAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey), config);
    }

    /// <summary>Checks that the bucket can be listed with the credentials; throws <see cref="IOException"/> saying why not.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw new IOException($"The S3 backend bucket '{_bucket}' at {_endpoint} cannot be listed: {Describe(e)}", e);
        }
    }

    /// <inheritdoc />
    public async Task<long> WriteAsync(string name, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var upload = new UploadStream(this, KeyOf(name));
        try
        {
            await produce(upload, cancellationToken).ConfigureAwait(false);
            return await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await upload.AbortAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            upload.ReleaseBuffer();
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string name, long offset, long length, CancellationToken cancellationToken)
        => (await OpenAsync(name, offset, length, wantLength: false, cancellationToken).ConfigureAwait(false)).Content;

    /// <inheritdoc />
    /// <remarks>One ranged GET: the length is the total of its Content-Range (a HEAD only when the answer does not carry it).</remarks>
    public Task<BlobRead> OpenReadWithLengthAsync(string name, long offset, long length, CancellationToken cancellationToken)
        => OpenAsync(name, offset, length, wantLength: true, cancellationToken);

    private async Task<BlobRead> OpenAsync(string name, long offset, long length, bool wantLength, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var key = KeyOf(name);
        if (length == 0)
        {
            // A range cannot be empty: ask whether the blob exists instead.
            var blobLength = await LengthAsync(name, cancellationToken).ConfigureAwait(false);
            if (blobLength < 0) throw Missing(name, null);
            return new BlobRead(new MemoryStream([], writable: false), blobLength);
        }
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                ByteRange = new ByteRange(offset, offset + length - 1),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw Missing(name, e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The range starts at or past the end: no bytes, as a file read there returns none.
            var blobLength = wantLength ? await LengthAsync(name, cancellationToken).ConfigureAwait(false) : -1;
            if (wantLength && blobLength < 0) throw Missing(name, e);
            return new BlobRead(new MemoryStream([], writable: false), blobLength);
        }
        var expectedRange = $"bytes {offset}-";
        if (response.HttpStatusCode == HttpStatusCode.PartialContent
            ? response.ContentRange?.StartsWith(expectedRange, StringComparison.Ordinal) != true
            : offset != 0)
        {
            response.Dispose();
            throw new IOException($"The S3 backend answered a ranged GET of blob {name} from byte {offset} with another range ({response.ContentRange ?? "the whole object"}).");
        }
        long total = -1;
        if (wantLength)
        {
            total = response.HttpStatusCode == HttpStatusCode.PartialContent ? TotalOf(response.ContentRange) : response.ContentLength;
            if (total < 0)
            {
                try
                {
                    total = await LengthAsync(name, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }
        }
        return new BlobRead(new BoundedStream(new ResponseBody(response), length), total);
    }

    /// <summary>The complete length of "bytes first-last/complete", or -1 when it is not given ("*") or not well-formed.</summary>
    private static long TotalOf(string? contentRange)
    {
        if (contentRange is null) return -1;
        var slash = contentRange.LastIndexOf('/');
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var total)
            ? total
            : -1;
    }

    /// <inheritdoc />
    public async Task<long> LengthAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectMetadataAsync(_bucket, KeyOf(name), cancellationToken).ConfigureAwait(false);
            return response.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return -1;
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteObjectAsync(_bucket, KeyOf(name), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // S3 answers 204 for a missing key; some compatible servers answer 404. Either way it is gone.
        }
    }

    /// <inheritdoc />
    /// <remarks>Only keys directly under the prefix that are well-formed blob names are listed, so garbage collection never touches other objects of the bucket.</remarks>
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix };
        ListObjectsV2Response response;
        do
        {
            response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var entry in response.S3Objects ?? [])
            {
                var name = entry.Key[_prefix.Length..];
                if (BlobNames.IsWellFormed(name)) yield return name;
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true && !string.IsNullOrEmpty(response.NextContinuationToken));
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private string KeyOf(string name)
    {
        if (!BlobNames.IsWellFormed(name))
            throw new ArgumentException("Blob names are lower-case letters, digits and dashes.", nameof(name));
        return _prefix + name;
    }

    private FileNotFoundException Missing(string name, AmazonS3Exception? cause)
        => new($"Blob {name} does not exist in bucket '{_bucket}'{(cause is null ? "" : $" ({cause.ErrorCode})")}.", name, cause);

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            var message = current is AmazonServiceException { ErrorCode: { Length: > 0 } code } service
                ? $"{code} ({(int)service.StatusCode}): {service.Message}"
                : current.Message;
            if (!messages.Contains(message)) messages.Add(message);
        }
        return string.Join(" ← ", messages);
    }

    /// <summary>The write side: buffers one part; PutObject for a blob that fits, else a multipart upload.</summary>
    private sealed class UploadStream(S3BlobStore store, string key) : Stream
    {
        private const int InitialBuffer = 64 * 1024;
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBuffer, store._partSize));
        private int _filled;
        private long _length;
        private string? _uploadId;
        private bool _commitStarted;
        private readonly List<PartETag> _parts = [];

        private int Capacity => Math.Min(_buffer.Length, store._partSize);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (buffer.Length > 0)
            {
                // A full part is sent only when more data arrives, so the last part is never empty.
                if (_filled == store._partSize) await UploadPartAsync(isLast: false, cancellationToken).ConfigureAwait(false);
                if (_filled == Capacity) Grow();
                var take = Math.Min(buffer.Length, Capacity - _filled);
                buffer.Span[..take].CopyTo(_buffer.AsSpan(_filled));
                _filled += take;
                _length += take;
                buffer = buffer[take..];
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        private void Grow()
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(store._partSize, _buffer.Length * 2));
            _buffer.AsSpan(0, _filled).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        private async Task UploadPartAsync(bool isLast, CancellationToken cancellationToken)
        {
            _uploadId ??= (await store._client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = store._bucket,
                Key = key,
            }, cancellationToken).ConfigureAwait(false)).UploadId;
            var number = _parts.Count + 1;
            if (number > MaxParts) throw new IOException($"A blob larger than {MaxParts} parts of {store._partSize >> 20} MiB does not fit one multipart upload.");
            var response = await store._client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = store._bucket,
                Key = key,
                UploadId = _uploadId,
                PartNumber = number,
                PartSize = _filled,
                InputStream = new MemoryStream(_buffer, 0, _filled, writable: false),
                IsLastPart = isLast,
            }, cancellationToken).ConfigureAwait(false);
            _parts.Add(new PartETag(number, response.ETag));
            _filled = 0;
        }

        public async Task<long> CommitAsync(CancellationToken cancellationToken)
        {
            _commitStarted = true;
            if (_uploadId is null)
            {
                await store._client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = store._bucket,
                    Key = key,
                    InputStream = new MemoryStream(_buffer, 0, _filled, writable: false),
                    AutoCloseStream = false,
                    ContentType = "application/octet-stream",
                }, cancellationToken).ConfigureAwait(false);
                return _length;
            }
            await UploadPartAsync(isLast: true, cancellationToken).ConfigureAwait(false);
            await store._client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = store._bucket,
                Key = key,
                UploadId = _uploadId,
                PartETags = _parts,
            }, cancellationToken).ConfigureAwait(false);
            return _length;
        }

        /// <summary>Best effort: aborts the multipart upload, and deletes the object when a commit may have reached the service.</summary>
        public async Task AbortAsync()
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            try
            {
                if (_uploadId is not null)
                    await store._client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = store._bucket, Key = key, UploadId = _uploadId }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException)
            {
                // An upload left behind holds no visible object; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes it.
            }
            try
            {
                if (_commitStarted)
                    await store._client.DeleteObjectAsync(store._bucket, key, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException)
            {
                // An object left behind is unreferenced: garbage collection removes it.
            }
        }

        public void ReleaseBuffer()
        {
            if (_buffer.Length == 0) return;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>The body of a GET; disposing it releases the response and its connection.</summary>
    private sealed class ResponseBody(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _body.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _body.ReadAsync(buffer, offset, count, cancellationToken);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) response.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>HTTP clients that trust only the CA certificates of a PEM bundle (host names are still checked).</summary>
    private sealed class CaBundleHttpClientFactory : HttpClientFactory
    {
        private readonly X509Certificate2Collection _roots = [];
        private readonly X509Certificate2Collection _intermediates = [];

        public CaBundleHttpClientFactory(string path)
        {
            var bundle = new X509Certificate2Collection();
            bundle.ImportFromPemFile(path);
            if (bundle.Count == 0) throw new ArgumentException($"The CA bundle {path} holds no certificate.", nameof(path));
            foreach (var certificate in bundle)
                (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? _roots : _intermediates).Add(certificate);
        }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = clientConfig.AllowAutoRedirect,
                AutomaticDecompression = DecompressionMethods.None,
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
            };
            if (clientConfig.MaxConnectionsPerServer is { } connections) handler.MaxConnectionsPerServer = connections;
            var client = new HttpClient(handler, disposeHandler: true);
            if (clientConfig.Timeout is { } timeout) client.Timeout = timeout;
            return client;
        }

        private bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
        {
            // Only the chain is judged here; a missing certificate or a wrong host name fails as usual.
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
            chain.ChainPolicy.ExtraStore.AddRange(_intermediates);
            if (presented is not null) chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
        }
    }
}
