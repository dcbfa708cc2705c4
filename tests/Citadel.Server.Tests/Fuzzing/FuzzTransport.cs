using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>An answer as the harness saw it: status, headers (lower-case names, values joined), body, or the transport error.</summary>
internal sealed record FuzzResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, Exception? Error, TimeSpan Elapsed)
{
    /// <summary>Bytes of a streamed body the client had handed to the connection when the answer came.</summary>
    public long BodyBytesSent { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// Sends cases to the server: through a real <see cref="HttpClient"/> (SocketsHttpHandler, HTTP/1.1, the raw target
/// exactly as generated), or, for bytes no HTTP client would send, straight to a socket (TLS when the server has it).
/// </summary>
internal sealed class FuzzTransport : IDisposable
{
    private static readonly HttpRequestOptionsKey<Encoding> HeaderEncodingKey = new("fuzz-header-encoding");
    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-MD5", "Content-Encoding", "Content-Language", "Content-Disposition", "Content-Range", "Expires", "Last-Modified",
        "Content-Length", "Allow",
    };

    private readonly HttpClient _client;
    private readonly X509Certificate2? _ca;
    private const int MaxResponseBytes = 8 << 20;

    public FuzzTransport(string scheme, int port, X509Certificate2? ca)
    {
        Scheme = scheme;
        Port = port;
        _ca = ca;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(20),
            RequestHeaderEncodingSelector = (_, message) => message is not null && message.Options.TryGetValue(HeaderEncodingKey, out var encoding) ? encoding : null,
        };
        if (ca is not null) handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => ChainsToCa(certificate);
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Scheme { get; }
    public int Port { get; }
    public string DefaultHost => $"127.0.0.1:{Port}";

    /// <summary>How long one case may take before the harness calls it a hang.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    private string? _trustedLeaf;

    private bool ChainsToCa(X509Certificate? certificate)
    {
        // Virtual-host-style S3 cases name hosts the certificate does not: only the chain to the server's CA is checked,
        // once per server certificate (building the chain on every new connection made the HTTPS run several times slower).
        if (certificate is null || _ca is null) return false;
        var hash = certificate.GetCertHashString();
        if (hash == _trustedLeaf) return true;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        if (!chain.Build(leaf)) return false;
        _trustedLeaf = hash;
        return true;
    }

    public async Task<FuzzResponse> SendAsync(FuzzRequest request)
    {
        request.Host ??= DefaultHost;
        if (request.Raw is null && NeedsRawSocket(request)) request.Raw = RawBytes(request);
        var started = DateTime.UtcNow;
        using var timeout = new CancellationTokenSource(CaseTimeout);
        try
        {
            if (request.StreamedBodyLength is { } length) return await SendStreamedAsync(request, length, started, timeout.Token);
            return request.Raw is not null
                ? await SendRawAsync(request.Raw, started, timeout.Token)
                : await SendHttpAsync(request, started, timeout.Token);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
        {
            return new FuzzResponse(0, new Dictionary<string, string>(), [], new TimeoutException($"No answer within {CaseTimeout.TotalSeconds} s.", e), DateTime.UtcNow - started);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            return new FuzzResponse(0, new Dictionary<string, string>(), [], e, DateTime.UtcNow - started);
        }
    }

    /// <summary>What HttpClient cannot send as generated: control characters or non-ASCII in the target or a header, odd header names.</summary>
    private static bool NeedsRawSocket(FuzzRequest request)
    {
        if (request.Target.Any(c => c <= 0x20 || c >= 0x7f) || !request.Target.StartsWith('/')) return true;
        if (request.Method.Any(c => !char.IsAsciiLetterUpper(c) && c != '-')) return true;
        foreach (var (name, value) in request.Headers)
        {
            if (name.Length == 0 || name.Any(c => c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".Contains(c))) return true;
            if (value.Any(c => (c < 0x20 && c != '\t') || c == 0x7f)) return true;
            if (value.Any(c => c > 0x7f) && request.HeaderEncoding is null) return true;
        }
        return false;
    }

    private async Task<FuzzResponse> SendHttpAsync(FuzzRequest request, DateTime started, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{Scheme}://127.0.0.1:{Port}{request.Target}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (request.HeaderEncoding is not null) message.Options.Set(HeaderEncodingKey, request.HeaderEncoding);
        message.Headers.TryAddWithoutValidation("Host", request.Host);
        if (request.ExpectContinue) message.Headers.ExpectContinue = true;
        HttpContent? content = null;
        var hasContentHeaders = request.Headers.Any(h => ContentHeaders.Contains(h.Key));
        if (request.Framing == BodyFraming.Chunked)
            content = new ChunkedContent(request.Body);
        else if (request.Body.Length > 0 || hasContentHeaders || request.Method is "POST" or "PUT")
            content = new ByteArrayContent(request.Body);
        message.Content = content;
        content?.Headers.Clear();
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (content is not null && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var declared)) content.Headers.ContentLength = declared;
                continue;
            }
            var added = ContentHeaders.Contains(name) && content is not null
                ? content.Headers.TryAddWithoutValidation(name, value)
                : message.Headers.TryAddWithoutValidation(name, value);
            if (!added)
            {
                request.Raw = RawBytes(request);
                return await SendRawAsync(request.Raw, started, cancellationToken);
            }
        }
        using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers)) headers[name.ToLowerInvariant()] = string.Join(",", values);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var body = await ReadCappedAsync(stream, cancellationToken);
        return new FuzzResponse((int)response.StatusCode, headers, body, null, DateTime.UtcNow - started) { BodyBytesSent = request.Body.Length };
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[65536];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length < MaxResponseBytes) buffer.Write(chunk, 0, (int)Math.Min(read, MaxResponseBytes - buffer.Length));
        }
        return buffer.ToArray();
    }

    /// <summary>The request as bytes: request line, Host, the headers as generated (UTF-8), framing, body; then the connection is closed.</summary>
    public static byte[] RawBytes(FuzzRequest request)
    {
        using var bytes = new MemoryStream();
        void Line(string text)
        {
            var encoded = Encoding.UTF8.GetBytes(text);
            bytes.Write(encoded);
            bytes.Write("\r\n"u8);
        }
        Line($"{request.Method} {request.Target} HTTP/1.1");
        Line($"Host: {request.Host}");
        foreach (var (name, value) in request.Headers) Line($"{name}: {value}");
        if (request.Framing == BodyFraming.Chunked && !request.Headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            Line("Transfer-Encoding: chunked");
        else if (request.Framing == BodyFraming.ContentLength && !request.Headers.Any(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) && (request.Body.Length > 0 || request.Method is "POST" or "PUT"))
            Line($"Content-Length: {request.Body.Length}");
        Line("Connection: close");
        Line("");
        if (request.Framing == BodyFraming.Chunked)
        {
            if (request.Body.Length > 0)
            {
                Line(request.Body.Length.ToString("x", CultureInfo.InvariantCulture));
                bytes.Write(request.Body);
                Line("");
            }
            Line("0");
            Line("");
        }
        else
        {
            bytes.Write(request.Body);
        }
        return bytes.ToArray();
    }

    private async Task<(Socket Socket, Stream Stream, SslStream? Tls)> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        var network = new NetworkStream(socket, ownsSocket: true);
        if (Scheme != "https") return (socket, network, null);
        var tls = new SslStream(network, leaveInnerStreamOpen: false, (_, certificate, _, _) => ChainsToCa(certificate));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken);
        return (socket, tls, tls);
    }

    /// <summary>
    /// Streams a large body in HTTP chunks and stops at the first byte of the answer, reporting how much of the body
    /// had gone out by then: a server that applies its body limit answers long before a server that reads it whole.
    /// </summary>
    private async Task<FuzzResponse> SendStreamedAsync(FuzzRequest request, long length, DateTime started, CancellationToken cancellationToken)
    {
        var (socket, stream, _) = await ConnectAsync(cancellationToken);
        await using var _ = stream;
        using var __ = socket;
        var head = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{request.Method} {request.Target} HTTP/1.1\r\nHost: {request.Host}\r\n");
        foreach (var (name, value) in request.Headers) head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        head.Append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
        var firstByte = new byte[1];
        var answer = stream.ReadAsync(firstByte, cancellationToken).AsTask();
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        var frame = Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
        long sent = 0;
        try
        {
            while (sent < length && !answer.IsCompleted)
            {
                await stream.WriteAsync(frame, cancellationToken);
                await stream.WriteAsync(chunk, cancellationToken);
                await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
                sent += chunk.Length;
            }
            if (!answer.IsCompleted) await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
        }
        catch (IOException)
        {
            // The server answered and closed while the body was still going out.
        }
        var read = await answer;
        using var rest = new MemoryStream();
        rest.Write(firstByte, 0, read);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            var buffer = new byte[65536];
            int n;
            while ((n = await stream.ReadAsync(buffer, grace.Token)) > 0)
            {
                rest.Write(buffer, 0, n);
                if (Encoding.Latin1.GetString(rest.GetBuffer(), 0, (int)rest.Length) is var text && text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0
                    && AnswerComplete(text, end)) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Whatever arrived is the answer.
        }
        return ParseRaw(rest.ToArray(), DateTime.UtcNow - started) with { BodyBytesSent = sent };
    }

    private static bool AnswerComplete(string text, int headEnd)
    {
        var lengthAt = text.IndexOf("Content-Length:", 0, headEnd, StringComparison.OrdinalIgnoreCase);
        if (lengthAt < 0) return false;
        var lineEnd = text.IndexOf("\r\n", lengthAt, StringComparison.Ordinal);
        return int.TryParse(text[(lengthAt + 15)..lineEnd].Trim(), CultureInfo.InvariantCulture, out var length) && text.Length - headEnd - 4 >= length;
    }

    private async Task<FuzzResponse> SendRawAsync(byte[] raw, DateTime started, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        Stream stream = network;
        SslStream? tls = null;
        if (Scheme == "https")
        {
            tls = new SslStream(network, leaveInnerStreamOpen: true, (_, certificate, _, _) => ChainsToCa(certificate));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken);
            stream = tls;
        }
        try
        {
            try
            {
                await stream.WriteAsync(raw, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                // The end of what is sent, so a server waiting for more of a short body sees it at once: FIN, or TLS close_notify.
                if (tls is null) socket.Shutdown(SocketShutdown.Send);
                else await tls.ShutdownAsync();
            }
            catch (IOException)
            {
                // The server may answer and close before it read everything (a bad request line, headers too large).
            }
            var received = await ReadCappedAsync(stream, cancellationToken);
            return ParseRaw(received, DateTime.UtcNow - started);
        }
        finally
        {
            if (tls is not null) await tls.DisposeAsync();
        }
    }

    private static FuzzResponse ParseRaw(byte[] received, TimeSpan elapsed)
    {
        var text = Encoding.Latin1.GetString(received);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.", StringComparison.Ordinal) || end < 0)
            return new FuzzResponse(0, new Dictionary<string, string>(), received, new IOException(received.Length == 0 ? "The server closed the connection without an answer." : "The server's answer is not HTTP."), elapsed);
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + "," + value : value;
        }
        var body = received[(end + 4)..];
        if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase)) body = Dechunk(body);
        return new FuzzResponse(status, headers, body, null, elapsed);
    }

    private static byte[] Dechunk(byte[] body)
    {
        using var output = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = Array.IndexOf(body, (byte)'\n', at);
            if (lineEnd < 0) break;
            var sizeText = Encoding.ASCII.GetString(body, at, lineEnd - at).Trim().Split(';')[0];
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size == 0) break;
            at = lineEnd + 1;
            output.Write(body, at, Math.Min(size, body.Length - at));
            at += size + 2;
        }
        return output.ToArray();
    }

    public void Dispose() => _client.Dispose();

    /// <summary>A body of unknown length: HttpClient sends it with Transfer-Encoding: chunked.</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            // Several writes, so the server sees several HTTP chunks.
            var at = 0;
            var piece = Math.Max(1, body.Length / 3);
            while (at < body.Length)
            {
                var take = Math.Min(piece, body.Length - at);
                await stream.WriteAsync(body.AsMemory(at, take));
                await stream.FlushAsync();
                at += take;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
