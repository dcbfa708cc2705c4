using Citadel.Kms.Model;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class TagTests : IDisposable
{
    private readonly TestKms _kms = new();

    public void Dispose() => _kms.Dispose();

    private static List<Tag> Tags(params (string Key, string Value)[] tags) => tags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value }).ToList();

    private static List<Tag> Numbered(int from, int count) => Enumerable.Range(from, count).Select(i => new Tag { TagKey = $"k{i:D3}", TagValue = $"v{i}" }).ToList();

    private Task<EmptyResponse> Tag(string keyId, List<Tag> tags) => _kms.Run<EmptyResponse>("TagResource", new TagResourceRequest { KeyId = keyId, Tags = tags });

    private Task<EmptyResponse> Untag(string keyId, params string[] keys) => _kms.Run<EmptyResponse>("UntagResource", new UntagResourceRequest { KeyId = keyId, TagKeys = [.. keys] });

    private Task<ListResourceTagsResponse> List(string keyId, int? limit = null, string? marker = null)
        => _kms.Run<ListResourceTagsResponse>("ListResourceTags", new ListResourceTagsRequest { KeyId = keyId, Limit = limit, Marker = marker });

    private async Task<Dictionary<string, string>> All(string keyId) => (await List(keyId)).Tags.ToDictionary(t => t.TagKey, t => t.TagValue);

    [Fact]
    public async Task TagOverwriteAndUntag()
    {
        var keyId = await _kms.NewKey();
        Assert.Empty((await List(keyId)).Tags);
        await Tag(keyId, Tags(("team", "payments"), ("env", "prod")));
        await Tag(_kms.Settings.KeyArn(keyId), Tags(("env", "staging"), ("empty", "")));
        Assert.Equal(new Dictionary<string, string> { ["empty"] = "", ["env"] = "staging", ["team"] = "payments" }, await All(keyId));
        var listed = await List(keyId);
        Assert.Equal(["empty", "env", "team"], listed.Tags.Select(t => t.TagKey));
        Assert.False(listed.Truncated);

        await Untag(keyId, "env", "not-there");
        Assert.Equal(new Dictionary<string, string> { ["empty"] = "", ["team"] = "payments" }, await All(keyId));
    }

    [Fact]
    public async Task TagsGivenAtCreationAreListed()
    {
        var created = await _kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest { Tags = Tags(("a", "1")) });
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, await All(created.KeyMetadata.KeyId));
    }

    [Fact]
    public async Task ReservedAndDuplicateTagKeysAreTagException()
    {
        var keyId = await _kms.NewKey();
        Assert.Equal(KmsErrorCode.Tag, await _kms.Code("TagResource", new TagResourceRequest { KeyId = keyId, Tags = Tags(("aws:owner", "x")) }));
        Assert.Equal(KmsErrorCode.Tag, await _kms.Code("TagResource", new TagResourceRequest { KeyId = keyId, Tags = Tags(("AWS:owner", "x")) }));
        Assert.Equal(KmsErrorCode.Tag, await _kms.Code("TagResource", new TagResourceRequest { KeyId = keyId, Tags = Tags(("a", "1"), ("a", "2")) }));
        Assert.Equal(KmsErrorCode.Tag, await _kms.Code("UntagResource", new UntagResourceRequest { KeyId = keyId, TagKeys = ["aws:owner"] }));
        Assert.Empty((await List(keyId)).Tags);
    }

    [Fact]
    public async Task AKeyHasAtMostFiftyTags()
    {
        var keyId = await _kms.NewKey();
        await Tag(keyId, Numbered(0, 30));
        var error = await _kms.Fails("TagResource", new TagResourceRequest { KeyId = keyId, Tags = Numbered(30, 21) });
        Assert.Equal(KmsErrorCode.LimitExceeded, error.Code);
        Assert.Equal(30, (await All(keyId)).Count);

        // Overwriting existing keys does not count; exactly fifty is fine.
        await Tag(keyId, Numbered(10, 40));
        Assert.Equal(50, (await All(keyId)).Count);
        await Tag(keyId, Numbered(0, 50));
        Assert.Equal(KmsErrorCode.LimitExceeded, await _kms.Code("TagResource", new TagResourceRequest { KeyId = keyId, Tags = Numbered(50, 1) }));
        Assert.Equal(KmsErrorCode.LimitExceeded, await _kms.Code("TagResource", new TagResourceRequest { KeyId = await _kms.NewKey(), Tags = Numbered(0, 51) }));
    }

    [Fact]
    public async Task ListResourceTagsPaginates()
    {
        var keyId = await _kms.NewKey();
        var tags = Numbered(0, 50);
        await Tag(keyId, tags);
        var seen = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var page = await List(keyId, 7, marker);
            pages++;
            Assert.True(page.Tags.Count <= 7);
            Assert.Equal(page.Truncated, page.NextMarker is not null);
            seen.AddRange(page.Tags.Select(t => t.TagKey));
            marker = page.NextMarker;
        } while (marker is not null);
        Assert.Equal(8, pages);
        Assert.Equal(tags.Select(t => t.TagKey), seen);

        var whole = await List(keyId);
        Assert.Equal(50, whole.Tags.Count);
        Assert.False(whole.Truncated);
    }

    [Fact]
    public async Task ListResourceTagsLimitAndMarkerErrors()
    {
        var keyId = await _kms.NewKey();
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("ListResourceTags", new ListResourceTagsRequest { KeyId = keyId, Limit = 51 }));
        Assert.Equal(KmsErrorCode.InvalidMarker, await _kms.Code("ListResourceTags", new ListResourceTagsRequest { KeyId = keyId, Marker = "%%%" }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("ListResourceTags", new ListResourceTagsRequest { KeyId = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task KeysPendingDeletionCannotBeTaggedButCanBeListed()
    {
        var keyId = await _kms.NewKey();
        await Tag(keyId, Tags(("a", "1")));
        await _kms.ScheduleDeletion(keyId);
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("TagResource", new TagResourceRequest { KeyId = keyId, Tags = Tags(("b", "2")) }));
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("UntagResource", new UntagResourceRequest { KeyId = keyId, TagKeys = ["a"] }));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, await All(keyId));
    }

    [Fact]
    public async Task DisabledAndPendingImportKeysCanBeTagged()
    {
        var disabled = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = disabled });
        await Tag(disabled, Tags(("a", "1")));
        var external = await _kms.NewKey(origin: "EXTERNAL");
        await Tag(external, Tags(("b", "2")));
        await Untag(external, "b");
        Assert.Single(await All(disabled));
        Assert.Empty(await All(external));
    }

    [Fact]
    public async Task AwsManagedKeysCannotBeTagged()
    {
        var managed = await _kms.ManagedKey();
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("TagResource", new TagResourceRequest { KeyId = managed, Tags = Tags(("a", "1")) }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("UntagResource", new UntagResourceRequest { KeyId = managed, TagKeys = ["a"] }));
        Assert.Empty((await List(managed)).Tags);
    }

    [Fact]
    public async Task UnknownKeysAreNotFound()
    {
        var missing = Guid.NewGuid().ToString();
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("TagResource", new TagResourceRequest { KeyId = missing, Tags = Tags(("a", "1")) }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("UntagResource", new UntagResourceRequest { KeyId = missing, TagKeys = ["a"] }));
    }
}
