using Citadel.Audit.Trails;
using Citadel.Audit.Trails.Operations;

namespace Citadel.Audit.Tests.Trails;

public sealed class TrailOperationTests : IAsyncLifetime
{
    private TrailHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new TrailHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Task<TrailException> Create(string name, string bucket = TrailHarness.Bucket, string? prefix = null)
        => _h.Fails("CreateTrail", new CreateTrailRequest { Name = name, S3BucketName = bucket, S3KeyPrefix = prefix });

    [Theory]
    [InlineData("ab", "Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters.")]
    [InlineData("-audit", "Trail name must starts with a letter or number.")]
    [InlineData("audit_", "Trail name must ends with a letter or number.")]
    [InlineData("au dit", "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")]
    [InlineData("my-_namespace", "Trail name cannot have adjacent periods, underscores or dashes. Names like my-_namespace and my--namespace are not valid.")]
    [InlineData("my--namespace", "Trail name cannot have adjacent periods, underscores or dashes. Names like my-_namespace and my--namespace are not valid.")]
    [InlineData("192.168.5.4", "Trail name cannot be formatted as an IP address.")]
    public async Task TrailNamesFollowCloudTrailsRules(string name, string message)
    {
        var error = await Create(name);
        Assert.Equal(TrailErrorCode.InvalidTrailNameException, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task LongNamesAndGoodNames()
    {
        Assert.Equal(TrailErrorCode.InvalidTrailNameException, (await Create(new string('a', 129))).Code);
        var created = await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "My.Trail_1-x", S3BucketName = TrailHarness.Bucket });
        Assert.Equal("arn:aws:cloudtrail:us-east-1:111122223333:trail/My.Trail_1-x", created.TrailArn);
    }

    [Fact]
    public async Task TheBucketMustExistAndBeNamedAsS3Requires()
    {
        var missing = await Create("audit", "no-such-bucket");
        Assert.Equal(TrailErrorCode.S3BucketDoesNotExistException, missing.Code);
        Assert.Equal("S3 bucket no-such-bucket does not exist.", missing.Message);
        Assert.Equal(TrailErrorCode.InvalidS3BucketNameException, (await Create("audit", "Upper_Case")).Code);
        Assert.Equal(TrailErrorCode.InvalidS3PrefixException, (await Create("audit", prefix: new string('p', 201))).Code);
        Assert.Empty(await _h.Repository.AllAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WhatCitadelCannotHonourIsRefusedWithAwsErrors()
    {
        Assert.Equal(TrailErrorCode.InsufficientSnsTopicPolicyException,
            (await _h.Fails("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket, SnsTopicName = "topic" })).Code);
        Assert.Equal(TrailErrorCode.CloudWatchLogsDeliveryUnavailableException,
            (await _h.Fails("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket, CloudWatchLogsLogGroupArn = "arn:aws:logs:us-east-1:111122223333:log-group:x:*" })).Code);
        Assert.Equal(TrailErrorCode.OrganizationsNotInUseException,
            (await _h.Fails("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket, IsOrganizationTrail = true })).Code);
        var combination = await _h.Fails("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket, IsMultiRegionTrail = true, IncludeGlobalServiceEvents = false });
        Assert.Equal(TrailErrorCode.InvalidParameterCombinationException, combination.Code);
        Assert.Equal("Multi-Region trail must include global service events.", combination.Message);
    }

    [Fact]
    public async Task NamesAreUniqueAndARegionHasAtMostFiveTrails()
    {
        for (var i = 1; i <= 5; i++) await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = $"trail{i}", S3BucketName = TrailHarness.Bucket });
        var duplicate = await Create("trail1");
        Assert.Equal(TrailErrorCode.TrailAlreadyExistsException, duplicate.Code);
        Assert.Equal("Trail trail1 already exists for customer: 111122223333", duplicate.Message);
        Assert.Equal(TrailErrorCode.MaximumNumberOfTrailsExceededException, (await Create("trail6")).Code);
        await _h.Run<NoOutput>("DeleteTrail", new DeleteTrailRequest { Name = "trail3" });
        await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "trail6", S3BucketName = TrailHarness.Bucket });
    }

    [Fact]
    public async Task GetDescribeListAndDeleteByNameOrArn()
    {
        await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "alpha", S3BucketName = TrailHarness.Bucket, S3KeyPrefix = "logs", EnableLogFileValidation = true });
        await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "beta", S3BucketName = TrailHarness.Bucket, IncludeGlobalServiceEvents = false });
        var arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/alpha";
        var alpha = (await _h.Run<GetTrailResponse>("GetTrail", new GetTrailRequest { Name = arn })).Trail;
        Assert.Equal(("alpha", "logs", true, true, "us-east-1", false), (alpha.Name, alpha.S3KeyPrefix, alpha.LogFileValidationEnabled, alpha.IncludeGlobalServiceEvents, alpha.HomeRegion, alpha.HasCustomEventSelectors));

        Assert.Equal(["alpha", "beta"], (await _h.Run<DescribeTrailsResponse>("DescribeTrails", new DescribeTrailsRequest())).TrailList.Select(t => t.Name));
        // Unknown names are left out, as AWS does; an ARN and a name of the same trail give it once.
        Assert.Equal(["beta", "alpha"], (await _h.Run<DescribeTrailsResponse>("DescribeTrails", new DescribeTrailsRequest { TrailNameList = ["beta", "nope-trail", arn, "alpha"] })).TrailList.Select(t => t.Name));
        Assert.Equal(["alpha", "beta"], (await _h.Run<ListTrailsResponse>("ListTrails", new ListTrailsRequest())).Trails.Select(t => t.Name));

        var missing = await _h.Fails("GetTrail", new GetTrailRequest { Name = "gamma" });
        Assert.Equal(TrailErrorCode.TrailNotFoundException, missing.Code);
        Assert.Equal("Unknown trail: arn:aws:cloudtrail:us-east-1:111122223333:trail/gamma for the user: 111122223333", missing.Message);
        Assert.Equal(TrailErrorCode.TrailNotFoundException, (await _h.Fails("GetTrail", new GetTrailRequest { Name = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/alpha" })).Code);
        Assert.Equal(TrailErrorCode.CloudTrailARNInvalidException, (await _h.Fails("GetTrail", new GetTrailRequest { Name = "arn:aws:s3:::alpha" })).Code);

        await _h.Run<NoOutput>("DeleteTrail", new DeleteTrailRequest { Name = arn });
        Assert.Equal(TrailErrorCode.TrailNotFoundException, (await _h.Fails("DeleteTrail", new DeleteTrailRequest { Name = "alpha" })).Code);
        Assert.Null(await _h.Repository.FindDeliveryAsync("alpha", CancellationToken.None));
    }

    [Fact]
    public async Task UpdateChangesOnlyWhatIsGiven()
    {
        await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket, S3KeyPrefix = "p" });
        _h.Sink.CreateBucket("other-bucket");
        var updated = await _h.Run<TrailSummary>("UpdateTrail", new UpdateTrailRequest { Name = "audit", S3BucketName = "other-bucket", EnableLogFileValidation = true });
        Assert.Equal(("other-bucket", "p", true), (updated.S3BucketName, updated.S3KeyPrefix, updated.LogFileValidationEnabled));
        Assert.Null((await _h.Run<TrailSummary>("UpdateTrail", new UpdateTrailRequest { Name = "audit", S3KeyPrefix = "" })).S3KeyPrefix);
        Assert.Equal(TrailErrorCode.S3BucketDoesNotExistException, (await _h.Fails("UpdateTrail", new UpdateTrailRequest { Name = "audit", S3BucketName = "gone-bucket" })).Code);
        Assert.Equal(TrailErrorCode.InvalidParameterCombinationException,
            (await _h.Fails("UpdateTrail", new UpdateTrailRequest { Name = "audit", IsMultiRegionTrail = true, IncludeGlobalServiceEvents = false })).Code);
        Assert.Equal("other-bucket", (await _h.Run<GetTrailResponse>("GetTrail", new GetTrailRequest { Name = "audit" })).Trail.S3BucketName);
    }

    [Fact]
    public async Task StatusFollowsStartAndStop()
    {
        await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket });
        var created = await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" });
        Assert.False(created.IsLogging);
        Assert.Equal("", created.TimeLoggingStarted);
        await _h.Run<NoOutput>("StartLogging", new StartLoggingRequest { Name = "audit" });
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.Run<NoOutput>("StopLogging", new StopLoggingRequest { Name = "audit" });
        var status = await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" });
        Assert.False(status.IsLogging);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero), status.StartLoggingTime);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 1, 0, TimeSpan.Zero), status.StopLoggingTime);
        Assert.Equal("2026-11-29T12:00:00Z", status.TimeLoggingStarted);
        Assert.Equal("2026-11-29T12:01:00Z", status.TimeLoggingStopped);
        Assert.Equal(TrailErrorCode.TrailNotFoundException, (await _h.Fails("StartLogging", new StartLoggingRequest { Name = "other" })).Code);
    }

    [Fact]
    public async Task TagsAreAddedReplacedListedAndRemovedByArn()
    {
        var arn = (await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket, TagsList = [new TagView { Key = "team", Value = "sec" }] })).TrailArn;
        await _h.Run<NoOutput>("AddTags", new AddTagsRequest { ResourceId = arn, TagsList = [new TagView { Key = "team", Value = "ops" }, new TagView { Key = "env", Value = "prod" }] });
        var tags = (await _h.Run<ListTagsResponse>("ListTags", new ListTagsRequest { ResourceIdList = [arn] })).ResourceTagList.Single();
        Assert.Equal(arn, tags.ResourceId);
        Assert.Equal(["env=prod", "team=ops"], tags.TagsList.Select(t => $"{t.Key}={t.Value}"));
        await _h.Run<NoOutput>("RemoveTags", new RemoveTagsRequest { ResourceId = arn, TagsList = [new TagView { Key = "team" }] });
        Assert.Equal(["env"], (await _h.Run<ListTagsResponse>("ListTags", new ListTagsRequest { ResourceIdList = [arn] })).ResourceTagList.Single().TagsList.Select(t => t.Key));

        Assert.Equal(TrailErrorCode.CloudTrailARNInvalidException, (await _h.Fails("AddTags", new AddTagsRequest { ResourceId = "audit", TagsList = [] })).Code);
        Assert.Equal(TrailErrorCode.ResourceNotFoundException, (await _h.Fails("ListTags", new ListTagsRequest { ResourceIdList = [arn + "x"] })).Code);
        Assert.Equal(TrailErrorCode.InvalidTagParameterException, (await _h.Fails("AddTags", new AddTagsRequest { ResourceId = arn, TagsList = [new TagView { Key = "aws:x", Value = "y" }] })).Code);
        var many = Enumerable.Range(0, 50).Select(i => new TagView { Key = $"k{i}", Value = "v" }).ToList();
        Assert.Equal(TrailErrorCode.TagsLimitExceededException, (await _h.Fails("AddTags", new AddTagsRequest { ResourceId = arn, TagsList = many })).Code);
    }

    [Fact]
    public async Task EventSelectorsDefaultToAllManagementEventsAndAreValidated()
    {
        await _h.Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = "audit", S3BucketName = TrailHarness.Bucket });
        var initial = await _h.Run<EventSelectorsResponse>("GetEventSelectors", new GetEventSelectorsRequest { TrailName = "audit" });
        var selector = Assert.Single(initial.EventSelectors!);
        Assert.Equal(("All", true), (selector.ReadWriteType, selector.IncludeManagementEvents));
        Assert.Empty(selector.DataResources!);
        Assert.Null(initial.AdvancedEventSelectors);

        var put = await _h.Run<EventSelectorsResponse>("PutEventSelectors", new PutEventSelectorsRequest
        {
            TrailName = "audit",
            EventSelectors = [new EventSelector { ReadWriteType = "WriteOnly", ExcludeManagementEventSources = ["kms.amazonaws.com"] }],
        });
        Assert.Equal(("WriteOnly", true), (put.EventSelectors![0].ReadWriteType, put.EventSelectors[0].IncludeManagementEvents));
        Assert.True((await _h.Run<GetTrailResponse>("GetTrail", new GetTrailRequest { Name = "audit" })).Trail.HasCustomEventSelectors);

        async Task<TrailErrorCode> Invalid(PutEventSelectorsRequest request) => (await _h.Fails("PutEventSelectors", request)).Code;
        Assert.Equal(TrailErrorCode.InvalidEventSelectorsException, await Invalid(new() { TrailName = "audit", EventSelectors = Enumerable.Range(0, 6).Select(_ => new EventSelector()).ToList() }));
        Assert.Equal(TrailErrorCode.InvalidEventSelectorsException, await Invalid(new() { TrailName = "audit", EventSelectors = [new EventSelector { ExcludeManagementEventSources = ["iam.amazonaws.com"] }] }));
        Assert.Equal(TrailErrorCode.InvalidEventSelectorsException, await Invalid(new() { TrailName = "audit", EventSelectors = [new EventSelector { DataResources = [new DataResource { Type = "AWS::EC2::Instance", Values = ["arn:aws:ec2"] }] }] }));
        Assert.Equal(TrailErrorCode.InvalidEventSelectorsException, await Invalid(new() { TrailName = "audit", EventSelectors = [new EventSelector { DataResources = [new DataResource { Type = "AWS::S3::Object", Values = Enumerable.Range(0, 251).Select(i => $"arn:aws:s3:::b{i}/").ToList() }] }] }));
        Assert.Equal(TrailErrorCode.InvalidParameterCombinationException, await Invalid(new() { TrailName = "audit", EventSelectors = [new EventSelector()], AdvancedEventSelectors = [] }));
        Assert.Equal(TrailErrorCode.InvalidEventSelectorsException, await Invalid(new() { TrailName = "audit", AdvancedEventSelectors = [new AdvancedEventSelector { FieldSelectors = [new AdvancedFieldSelector { Field = "eventName", EqualTo = ["Encrypt"] }] }] }));
        Assert.Equal(TrailErrorCode.InvalidEventSelectorsException, await Invalid(new() { TrailName = "audit", AdvancedEventSelectors = [new AdvancedEventSelector { FieldSelectors = [new AdvancedFieldSelector { Field = "eventCategory", EqualTo = ["Data"] }] }] }));

        var advanced = await _h.Run<EventSelectorsResponse>("PutEventSelectors", new PutEventSelectorsRequest
        {
            TrailName = "audit",
            AdvancedEventSelectors = [new AdvancedEventSelector { Name = "mgmt", FieldSelectors = [new AdvancedFieldSelector { Field = "eventCategory", EqualTo = ["Management"] }] }],
        });
        Assert.Null(advanced.EventSelectors);
        Assert.Equal("mgmt", Assert.Single(advanced.AdvancedEventSelectors!).Name);
    }

    [Fact]
    public async Task PublicKeysAreListedByValidityWindowAndRotate()
    {
        var t0 = _h.Time.GetUtcNow();
        var first = Assert.Single((await _h.Run<ListPublicKeysResponse>("ListPublicKeys", new ListPublicKeysRequest())).PublicKeyList);
        Assert.Equal((t0, t0.AddDays(1)), (first.ValidityStartTime, first.ValidityEndTime));
        // The value is the PKCS#1 RSAPublicKey DER of a 2048-bit key, and the fingerprint its hex MD5, as CloudTrail publishes them.
        using (var rsa = System.Security.Cryptography.RSA.Create())
        {
            rsa.ImportRSAPublicKey(first.Value, out var read);
            Assert.Equal((first.Value.Length, 2048), (read, rsa.KeySize));
        }
#pragma warning disable CA5351 // CloudTrail's fingerprint is MD5.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(first.Value)), first.Fingerprint);
#pragma warning restore CA5351

        _h.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5));
        var second = Assert.Single((await _h.Run<ListPublicKeysResponse>("ListPublicKeys", new ListPublicKeysRequest())).PublicKeyList);
        Assert.NotEqual(first.Fingerprint, second.Fingerprint);
        var both = await _h.Run<ListPublicKeysResponse>("ListPublicKeys", new ListPublicKeysRequest { StartTime = t0, EndTime = _h.Time.GetUtcNow() });
        Assert.Equal([first.Fingerprint, second.Fingerprint], both.PublicKeyList.Select(k => k.Fingerprint));
        var old = await _h.Run<ListPublicKeysResponse>("ListPublicKeys", new ListPublicKeysRequest { StartTime = t0.AddHours(1), EndTime = t0.AddHours(2) });
        Assert.Equal([first.Fingerprint], old.PublicKeyList.Select(k => k.Fingerprint));
        Assert.Empty((await _h.Run<ListPublicKeysResponse>("ListPublicKeys", new ListPublicKeysRequest { StartTime = t0.AddDays(-3), EndTime = t0.AddDays(-2) })).PublicKeyList);
        Assert.Equal(TrailErrorCode.InvalidTimeRangeException, (await _h.Fails("ListPublicKeys", new ListPublicKeysRequest { StartTime = t0, EndTime = t0.AddSeconds(-1) })).Code);
    }

    [Fact]
    public async Task SigningKeysAreStoredWrappedNeverInPlaintext()
    {
        var key = await _h.Keys.EnsureCurrentAsync(_h.Time.GetUtcNow(), CancellationToken.None);
        var document = Assert.Single(await _h.Store.ListAsync(TrailSigningKeys.Collection, null, 10));
        using var json = System.Text.Json.JsonDocument.Parse(document.Body);
        var wrapped = json.RootElement.GetProperty("WrappedPrivateKey").GetBytesFromBase64();
        Assert.Equal(1, wrapped[0]);
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => System.Security.Cryptography.RSA.Create().ImportPkcs8PrivateKey(wrapped, out _));
        Assert.DoesNotContain("PRIVATE", document.Body, StringComparison.Ordinal);

        // Signing needs the root key: sealed, it fails instead of signing.
        _h.Sealed = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.Keys.SignAsync(key.Fingerprint, [1, 2, 3], CancellationToken.None));
        _h.Sealed = false;
        var signature = await _h.Keys.SignAsync(key.Fingerprint, [1, 2, 3], CancellationToken.None);
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportRSAPublicKey(key.Value, out _);
        Assert.True(rsa.VerifyData(new byte[] { 1, 2, 3 }, signature, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1));
    }
}
