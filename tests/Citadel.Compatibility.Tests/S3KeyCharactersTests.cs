using System.Net;
using System.Xml;
using System.Xml.Linq;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// Object keys and version ids with characters XML 1.0 cannot carry, and names that are not UTF-8 (issue 13): every
/// answer is S3's, never a 500. Control characters are accepted in keys and written in XML as numeric character
/// references (CR as &amp;#13;), as S3 does; bytes that are not UTF-8 are InvalidURI (so no two encodings name one
/// key); a version id that cannot be one is InvalidArgument.
/// </summary>
public sealed class S3KeyCharactersTests : IAsyncLifetime
{
    private const string ControlKey = "ctl%01%1f%7f";
    private const string ControlKeyDecoded = "ctl\u0001\u001f\u007f";
    private const string CrKey = "cr%0Dkey";
    private readonly CitadelProcess _server = new(http: true);
    private RawS3 _s3 = null!;

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _s3 = new RawS3(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _server.DeleteData();
    }

    [Fact]
    public async Task A_control_character_in_a_key_leaves_every_listing_working()
    {
        var bucket = await BucketAsync("listings");
        Ok(await _s3.SendAsync("PUT", $"/{bucket}/{ControlKey}", "x"u8.ToArray()));
        Ok(await _s3.SendAsync("PUT", $"/{bucket}/{CrKey}", "y"u8.ToArray()));
        Ok(await _s3.SendAsync("PUT", $"/{bucket}/plain", "z"u8.ToArray()));

        foreach (var listing in new[] { "", "?list-type=2", "?versions", "?list-type=2&prefix=ctl%01", "?delimiter=%1f", "?list-type=2&start-after=%01" })
        {
            var answer = Ok(await _s3.SendAsync("GET", $"/{bucket}{listing}"));
            var keys = Lenient(answer.Body).Descendants().Where(e => e.Name.LocalName == "Key").Select(e => e.Value).ToList();
            if (listing.Contains("delimiter", StringComparison.Ordinal))
            {
                // "ctl\x01" rolls up under the delimiter \x1f; the prefix comes back as it was sent.
                Assert.Contains("<Prefix>ctl&#1;&#31;</Prefix>", answer.Body, StringComparison.Ordinal);
                Assert.Contains("<Delimiter>&#31;</Delimiter>", answer.Body, StringComparison.Ordinal);
                continue;
            }
            Assert.Contains(ControlKeyDecoded, keys);
            if (!listing.Contains("prefix", StringComparison.Ordinal)) Assert.Contains("cr\rkey", keys);
            Assert.Contains("ctl&#1;&#31;\u007f", answer.Body, StringComparison.Ordinal);
        }

        var encoded = Ok(await _s3.SendAsync("GET", $"/{bucket}?list-type=2&encoding-type=url"));
        Assert.Contains("<Key>ctl%01%1F%7F</Key>", encoded.Body, StringComparison.Ordinal);
        Assert.Contains("<Key>cr%0Dkey</Key>", encoded.Body, StringComparison.Ordinal);
        Assert.Equal("x", Ok(await _s3.SendAsync("GET", $"/{bucket}/{ControlKey}")).Body);
    }

    [Fact]
    public async Task Multipart_uploads_copies_and_tags_of_such_keys_answer_in_xml()
    {
        var bucket = await BucketAsync("documents");
        var created = Ok(await _s3.SendAsync("POST", $"/{bucket}/{ControlKey}?uploads"));
        Assert.Contains("<Key>ctl&#1;&#31;\u007f</Key>", created.Body, StringComparison.Ordinal);
        var uploadId = created.Element("UploadId")!;
        Ok(await _s3.SendAsync("GET", $"/{bucket}?uploads"));
        Ok(await _s3.SendAsync("GET", $"/{bucket}/{ControlKey}?uploadId={uploadId}"));
        Ok(await _s3.SendAsync("DELETE", $"/{bucket}/{ControlKey}?uploadId={uploadId}"));

        Ok(await _s3.SendAsync("PUT", $"/{bucket}/{ControlKey}", "x"u8.ToArray(), new Dictionary<string, string> { ["x-amz-tagging"] = "k=v%01%0D" }));
        var tags = Ok(await _s3.SendAsync("GET", $"/{bucket}/{ControlKey}?tagging"));
        Assert.Equal("v\u0001\r", Lenient(tags.Body).Descendants().Single(e => e.Name.LocalName == "Value").Value);
        Ok(await _s3.SendAsync("PUT", $"/{bucket}/copy", null, new Dictionary<string, string> { ["x-amz-copy-source"] = $"/{bucket}/{ControlKey}" }));
    }

    [Fact]
    public async Task Errors_about_such_keys_are_s3_xml_naming_the_key()
    {
        var bucket = await BucketAsync("errors");
        var missing = await _s3.SendAsync("GET", $"/{bucket}/missing%01key");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("NoSuchKey", missing.Code);
        Assert.Equal("missing\u0001key", Lenient(missing.Body).Element("Key")!.Value);

        var copy = await _s3.SendAsync("PUT", $"/{bucket}/copy", null, new Dictionary<string, string> { ["x-amz-copy-source"] = $"/{bucket}/missing%0D%01" });
        Assert.Equal(HttpStatusCode.NotFound, copy.Status);
        Assert.Equal("NoSuchKey", copy.Code);
    }

    [Theory]
    [InlineData("?versionId=%00%01", "Invalid version id specified")]
    [InlineData("?versionId=a%0Ab", "Invalid version id specified")]
    [InlineData("?versionId=", "Version id cannot be the empty string")]
    public async Task A_version_id_that_cannot_be_one_is_invalid_argument(string query, string message)
    {
        var bucket = await BucketAsync("versions");
        Ok(await _s3.SendAsync("PUT", $"/{bucket}/k", "x"u8.ToArray()));
        foreach (var method in new[] { "GET", "DELETE" })
        {
            var answer = await _s3.SendAsync(method, $"/{bucket}/k{query}");
            Assert.True(HttpStatusCode.BadRequest == answer.Status, answer.ToString());
            Assert.Equal("InvalidArgument", answer.Code);
            Assert.Equal(message, answer.Element("Message"));
        }
        var head = await _s3.SendAsync("HEAD", $"/{bucket}/k{query}");
        Assert.Equal(HttpStatusCode.BadRequest, head.Status);

        var copy = await _s3.SendAsync("PUT", $"/{bucket}/copy", null, new Dictionary<string, string> { ["x-amz-copy-source"] = $"/{bucket}/k{query}" });
        Assert.True(HttpStatusCode.BadRequest == copy.Status, copy.ToString());
        Assert.Equal("InvalidArgument", copy.Code);
        Assert.Equal(message, copy.Element("Message"));
    }

    [Fact]
    public async Task Names_that_are_not_utf8_are_invalid_uri_and_alias_no_key()
    {
        var bucket = await BucketAsync("utf8");
        // The key "a%FFb" (the three characters) is an ordinary key...
        Ok(await _s3.SendAsync("PUT", $"/{bucket}/a%25FFb", "literal"u8.ToArray()));
        // ...and the byte 0xFF, which is not UTF-8, does not name it (nor anything else).
        foreach (var (method, path) in new[] { ("PUT", $"/{bucket}/a%FFb"), ("GET", $"/{bucket}/a%FFb"), ("GET", $"/{bucket}/a%ED%A0%80"),
                     ("GET", $"/{bucket}/100%"), ("GET", $"/{bucket}?prefix=%FF"), ("GET", $"/{bucket}?list-type=2&start-after=%C3") })
        {
            var answer = await _s3.SendAsync(method, path);
            Assert.True(HttpStatusCode.BadRequest == answer.Status, $"{method} {path}: {answer}");
            Assert.Equal("InvalidURI", answer.Code);
            Assert.Equal("Couldn't parse the specified URI.", answer.Element("Message"));
        }
        Assert.Equal("literal", Ok(await _s3.SendAsync("GET", $"/{bucket}/a%25FFb")).Body);

        var copy = await _s3.SendAsync("PUT", $"/{bucket}/copy", null, new Dictionary<string, string> { ["x-amz-copy-source"] = $"/{bucket}/a%FFb" });
        Assert.True(HttpStatusCode.BadRequest == copy.Status, copy.ToString());
        Assert.Equal("InvalidArgument", copy.Code);
        Assert.Equal("Invalid copy source encoding.", copy.Element("Message"));
    }

    [Fact]
    public async Task A_response_header_override_with_a_control_character_is_refused_not_a_500()
    {
        var bucket = await BucketAsync("overrides");
        Ok(await _s3.SendAsync("PUT", $"/{bucket}/k", "x"u8.ToArray()));
        var answer = await _s3.SendAsync("GET", $"/{bucket}/k?response-content-type=text%01plain");
        Assert.True(HttpStatusCode.BadRequest == answer.Status, answer.ToString());
        Assert.Equal("InvalidArgument", answer.Code);
        Assert.Equal("text/plain", Ok(await _s3.SendAsync("GET", $"/{bucket}/k?response-content-type=text%2Fplain")).Headers["content-type"]);
    }

    private async Task<string> BucketAsync(string name)
    {
        var bucket = "keys-" + name;
        Ok(await _s3.SendAsync("PUT", "/" + bucket));
        return bucket;
    }

    private static RawS3.Answer Ok(RawS3.Answer answer)
    {
        Assert.True(answer.Status is HttpStatusCode.OK or HttpStatusCode.NoContent, answer.ToString());
        return answer;
    }

    /// <summary>A reader that takes references to characters XML 1.0 excludes, as a lenient S3 client does.</summary>
    private static XElement Lenient(string xml)
        => XElement.Load(XmlReader.Create(new StringReader(xml), new XmlReaderSettings { CheckCharacters = false }));
}
