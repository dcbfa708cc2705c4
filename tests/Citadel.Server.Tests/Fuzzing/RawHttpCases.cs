using System.Globalization;
using System.Text;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// HTTP no client library sends: a generated, signed case written to a socket with its framing or syntax broken
/// (HTTP chunks with bad sizes or no end, Content-Length and Transfer-Encoding together, a body shorter than its
/// Content-Length, header lines without a colon or folded, NUL bytes, huge headers, odd request lines). The server may
/// answer 4xx itself or close the connection, but never with a 5xx, and the application must not throw.
/// </summary>
internal static class RawHttpCases
{
    public static void Apply(FuzzRequest request, Random random)
    {
        request.MalformedHttp = true;
        var choice = random.Next(14);
        request.Mutated("raw http #" + choice);
        request.RawTransform = r =>
        {
            var head = new StringBuilder();
            var requestLine = $"{r.Method} {r.Target} HTTP/1.1";
            head.Append(choice switch
            {
                0 => $"{r.Method}  {r.Target} HTTP/1.1",
                1 => $"{r.Method} {r.Target} HTTP/1.2",
                2 => $"{r.Method.ToLowerInvariant()} {r.Target} HTTP/1.1",
                3 => $"{r.Method} {r.Target}\u00e9 HTTP/1.1",
                _ => requestLine,
            }).Append("\r\n");
            head.Append("Host: ").Append(r.Host).Append("\r\n");
            foreach (var (name, value) in r.Headers)
            {
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }
            var body = r.Body;
            byte[] framedBody;
            switch (choice)
            {
                case 4:
                    head.Append("Transfer-Encoding: chunked\r\n");
                    framedBody = Encoding.ASCII.GetBytes(Nasty.Pick(new Random(body.Length), new[] { "zz\r\nabc\r\n0\r\n\r\n", "ffffffffffffffffff\r\na\r\n", "-1\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "3;" + new string('e', 10_000) + "\r\nabc\r\n0\r\n\r\n" }));
                    break;
                case 5:
                    head.Append("Transfer-Encoding: chunked\r\n");
                    framedBody = [.. Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. body, .. "\r\n"u8]; // no final chunk
                    break;
                case 6:
                    head.Append("Transfer-Encoding: chunked\r\nContent-Length: ").Append(body.Length).Append("\r\n");
                    framedBody = [.. Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];
                    break;
                case 7:
                    head.Append("Content-Length: ").Append(body.Length).Append("\r\nContent-Length: ").Append(body.Length + 1).Append("\r\n");
                    framedBody = body;
                    break;
                case 8:
                    head.Append("Content-Length: ").Append(body.Length + 100).Append("\r\n"); // the body ends early
                    framedBody = body;
                    break;
                case 9:
                    head.Append("Content-Length: ").Append(Nasty.Pick(new Random(body.Length), new[] { "-1", "abc", "1e3", "99999999999999999999", " 5", "0x10" })).Append("\r\n");
                    framedBody = body;
                    break;
                case 10:
                    head.Append("X-Fuzz-No-Colon\r\nX-Folded: a\r\n b\r\n");
                    head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                    framedBody = body;
                    break;
                case 11:
                    head.Append("X-Fuzz: a\0b\r\nX Fuzz: c\r\n");
                    head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                    framedBody = body;
                    break;
                case 12:
                    head.Append("X-Fuzz-Huge: ").Append(new string('h', 40_000)).Append("\r\n");
                    head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                    framedBody = body;
                    break;
                default:
                    for (var i = 0; i < 150; i++) head.Append("X-Fuzz-").Append(i).Append(": ").Append(i).Append("\r\n");
                    head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                    framedBody = body;
                    break;
            }
            head.Append("Connection: close\r\n\r\n");
            return [.. Encoding.UTF8.GetBytes(head.ToString()), .. framedBody];
        };
    }
}
