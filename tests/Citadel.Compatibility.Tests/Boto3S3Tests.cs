namespace Citadel.Compatibility.Tests;

/// <summary>boto3's S3 client against Citadel: each test is one Python script that prints OK.</summary>
[Collection("citadel")]
public sealed class Boto3S3Tests(CitadelFixture fixture)
{
    private const string Prelude = """
        import base64, hashlib, json, os, uuid
        import boto3, botocore.config
        from botocore.exceptions import ClientError

        config = botocore.config.Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})
        s3 = boto3.client("s3", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)
        kms = boto3.client("kms", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)

        def error(call, **kwargs):
            try:
                call(**kwargs)
            except ClientError as e:
                return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
            raise AssertionError(f"{call.__name__} succeeded")

        def new_bucket():
            name = "boto-" + uuid.uuid4().hex[:20]
            s3.create_bucket(Bucket=name)
            return name

        """;

    private async Task RunAsync(string script)
    {
        var result = await Clients.Boto3(fixture.Server, Prelude + script + "\nprint(\"OK\")\n");
        Assert.True(result.ExitCode == 0 && result.StdOut.Contains("OK", StringComparison.Ordinal), $"exit {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
    }

    [Fact]
    public Task Bucket_default_encryption_applies_to_uploads_and_reports_as_configured() => RunAsync("""
        bucket = new_bucket()
        # Every bucket encrypts: unconfigured buckets report SSE-S3.
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", rule
        key = kms.create_key()["KeyMetadata"]
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["KeyId"]}, "BucketKeyEnabled": True}]})
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["KeyId"]} and rule["BucketKeyEnabled"], rule
        put = s3.put_object(Bucket=bucket, Key="k", Body=b"data under the bucket default")
        assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == key["Arn"] and put["BucketKeyEnabled"], put
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data under the bucket default"
        # An explicit header wins over the default.
        put = s3.put_object(Bucket=bucket, Key="s3", Body=b"x", ServerSideEncryption="AES256")
        assert put["ServerSideEncryption"] == "AES256", put
        s3.delete_bucket_encryption(Bucket=bucket)
        assert s3.put_object(Bucket=bucket, Key="k2", Body=b"x")["ServerSideEncryption"] == "AES256"
        assert error(s3.put_bucket_encryption, Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": key["KeyId"]}}]}) == ("InvalidArgument", 400)
        """);

    [Fact]
    public Task A_bucket_policy_denies_uploads_that_are_not_sse_kms_even_for_the_root() => RunAsync("""
        bucket = new_bucket()
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyNotKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
        assert error(s3.put_object, Bucket=bucket, Key="plain", Body=b"x") == ("AccessDenied", 403)
        assert error(s3.put_object, Bucket=bucket, Key="s3", Body=b"x", ServerSideEncryption="AES256") == ("AccessDenied", 403)
        s3.put_object(Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
        assert error(s3.head_object, Bucket=bucket, Key="plain") == ("404", 404)
        s3.delete_bucket_policy(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
        assert error(s3.put_bucket_policy, Bucket=bucket, Policy="{not json") == ("MalformedPolicy", 400)
        assert error(s3.get_bucket_policy, Bucket=bucket) == ("NoSuchBucketPolicy", 404)
        """);

    [Fact]
    public Task Sse_kms_binds_the_encryption_context_and_a_disabled_key_stops_reads() => RunAsync("""
        bucket = new_bucket()
        key = kms.create_key()["KeyMetadata"]
        context = base64.b64encode(json.dumps({"project": "citadel"}).encode()).decode()
        put = s3.put_object(Bucket=bucket, Key="ctx", Body=b"secret", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"], SSEKMSEncryptionContext=context)
        assert put["SSEKMSKeyId"] == key["Arn"], put
        assert s3.get_object(Bucket=bucket, Key="ctx")["Body"].read() == b"secret"
        kms.disable_key(KeyId=key["KeyId"])
        assert error(s3.get_object, Bucket=bucket, Key="ctx") == ("KMS.DisabledException", 400)
        assert error(s3.put_object, Bucket=bucket, Key="new", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"]) == ("KMS.DisabledException", 400)
        kms.enable_key(KeyId=key["KeyId"])
        assert s3.get_object(Bucket=bucket, Key="ctx")["Body"].read() == b"secret"
        assert error(s3.put_object, Bucket=bucket, Key="x", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/does-not-exist")[0] == "KMS.NotFoundException"
        """);

    [Fact]
    public Task Reads_honour_ranges_conditions_and_header_overrides() => RunAsync("""
        bucket = new_bucket()
        body = os.urandom(50000)
        put = s3.put_object(Bucket=bucket, Key="k", Body=body, ContentType="application/x-test", Metadata={"owner": "boto3"})
        etag = put["ETag"]
        assert etag == '"' + hashlib.md5(body).hexdigest() + '"'
        got = s3.get_object(Bucket=bucket, Key="k", Range="bytes=16000-17000")
        assert got["Body"].read() == body[16000:17001] and got["ContentRange"] == "bytes 16000-17000/50000", got
        assert s3.get_object(Bucket=bucket, Key="k", Range="bytes=-10")["Body"].read() == body[-10:]
        assert error(s3.get_object, Bucket=bucket, Key="k", Range="bytes=60000-") == ("InvalidRange", 416)
        head = s3.head_object(Bucket=bucket, Key="k")
        assert head["ContentType"] == "application/x-test" and head["Metadata"] == {"owner": "boto3"}, head
        assert error(s3.get_object, Bucket=bucket, Key="k", IfNoneMatch=etag) == ("304", 304)
        assert error(s3.get_object, Bucket=bucket, Key="k", IfMatch='"0000"') == ("PreconditionFailed", 412)
        got = s3.get_object(Bucket=bucket, Key="k", IfMatch=etag, ResponseContentType="text/plain", ResponseContentDisposition="attachment")
        assert got["ContentType"] == "text/plain" and got["ContentDisposition"] == "attachment", got
        deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k"}, {"Key": "missing"}]})
        assert sorted(d["Key"] for d in deleted["Deleted"]) == ["k", "missing"], deleted
        assert error(s3.head_object, Bucket=bucket, Key="k") == ("404", 404)
        """);

    [Fact]
    public Task Bad_input_gets_s3_errors_and_stores_nothing() => RunAsync("""
        bucket = new_bucket()
        assert error(s3.put_object, Bucket=bucket, Key="md5", Body=b"abc", ContentMD5=base64.b64encode(hashlib.md5(b"abd").digest()).decode()) == ("BadDigest", 400)
        assert error(s3.put_object, Bucket=bucket, Key="meta", Body=b"abc", Metadata={"big": "x" * 3000}) == ("MetadataTooLarge", 400)
        assert error(s3.put_object, Bucket=bucket, Key="k" * 1025, Body=b"abc") == ("KeyTooLongError", 400)
        assert error(s3.put_object, Bucket=bucket, Key="c", Body=b"abc", SSECustomerAlgorithm="AES256", SSECustomerKey="short") == ("InvalidArgument", 400)
        assert error(s3.put_object, Bucket=bucket, Key="c", Body=b"abc", ServerSideEncryption="AES256", SSEKMSKeyId="x") == ("InvalidArgument", 400)
        assert error(s3.create_bucket, Bucket="no_underscores") == ("InvalidBucketName", 400)
        assert error(s3.create_bucket, Bucket=bucket) == ("BucketAlreadyOwnedByYou", 409)
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
        # Malformed XML: botocore builds valid XML, so send a raw body through the event system.
        def corrupt(request, **kwargs):
            request.data = b"<Delete><Object><Key>unclosed"
            request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(request.data).digest()).decode()
            if "x-amz-checksum-crc32" in request.headers:
                del request.headers["x-amz-checksum-crc32"]
        s3.meta.events.register("before-sign.s3.DeleteObjects", corrupt)
        assert error(s3.delete_objects, Bucket=bucket, Delete={"Objects": [{"Key": "a"}]}) == ("MalformedXML", 400)
        """);

    [Fact]
    public Task Multipart_upload_lists_parts_and_rejects_bad_completions() => RunAsync("""
        bucket = new_bucket()
        upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ServerSideEncryption="aws:kms")
        uid = upload["UploadId"]
        part1 = os.urandom(5 * 1024 * 1024)
        part2 = os.urandom(1000)
        e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=part1)["ETag"]
        e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=part2)["ETag"]
        parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)["Parts"]
        assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, len(part1)), (2, len(part2))], parts
        assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [uid]
        assert error(s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]}) == ("InvalidPartOrder", 400)
        assert error(s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00"'}]}) == ("InvalidPart", 400)
        assert error(s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e2}]}) == ("InvalidPart", 400)
        done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        expected = hashlib.md5(hashlib.md5(part1).digest() + hashlib.md5(part2).digest()).hexdigest() + "-2"
        assert done["ETag"] == '"' + expected + '"', done
        assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == part1 + part2
        assert s3.get_object(Bucket=bucket, Key="mp", Range=f"bytes={len(part1) - 5}-{len(part1) + 5}")["Body"].read() == (part1 + part2)[len(part1) - 5:len(part1) + 6]
        assert error(s3.upload_part, Bucket=bucket, Key="mp", UploadId=uid, PartNumber=3, Body=b"x") == ("NoSuchUpload", 404)
        aborted = s3.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
        s3.upload_part(Bucket=bucket, Key="gone", UploadId=aborted, PartNumber=1, Body=b"x")
        s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=aborted)
        assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
        # UploadPartCopy from an existing object.
        cp = s3.create_multipart_upload(Bucket=bucket, Key="copied")["UploadId"]
        ec = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=cp, PartNumber=1, CopySource={"Bucket": bucket, "Key": "mp"}, CopySourceRange="bytes=0-99")["CopyPartResult"]["ETag"]
        s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=cp, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": ec}]})
        assert s3.get_object(Bucket=bucket, Key="copied")["Body"].read() == part1[:100]
        """);

    [Fact]
    public Task Versioning_keeps_versions_and_delete_markers() => RunAsync("""
        bucket = new_bucket()
        assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"before versioning")
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
        v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two", ServerSideEncryption="aws:kms")["VersionId"]
        assert v1 != v2 and v1 != "null"
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
        assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
        assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before versioning"
        deleted = s3.delete_object(Bucket=bucket, Key="k")
        assert deleted["DeleteMarker"] and deleted["VersionId"], deleted
        try:
            s3.get_object(Bucket=bucket, Key="k")
            raise AssertionError("read through a delete marker")
        except ClientError as e:
            assert e.response["Error"]["Code"] == "NoSuchKey" and e.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true", e.response
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
        versions = s3.list_object_versions(Bucket=bucket)
        assert [(v["VersionId"], v["IsLatest"]) for v in versions["Versions"]] == [(v2, False), (v1, False), ("null", False)], versions
        assert [(m["VersionId"], m["IsLatest"]) for m in versions["DeleteMarkers"]] == [(deleted["VersionId"], True)], versions
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=2)
        assert page["IsTruncated"] and len(page.get("Versions", [])) + len(page.get("DeleteMarkers", [])) == 2, page
        rest = s3.list_object_versions(Bucket=bucket, KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
        assert [v["VersionId"] for v in rest["Versions"]] == [v1, "null"], rest
        # Removing the delete marker brings the newest version back.
        s3.delete_object(Bucket=bucket, Key="k", VersionId=deleted["VersionId"])
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
        s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
        s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "stage", "Value": "old"}]})
        assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)["TagSet"] == [{"Key": "stage", "Value": "old"}]
        assert error(s3.get_object, Bucket=bucket, Key="k", VersionId="no-such-version") == ("NoSuchVersion", 404)
        attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ETag", "ObjectSize", "StorageClass"])
        assert attributes["ObjectSize"] == 3 and attributes["ETag"] == hashlib.md5(b"one").hexdigest() and attributes["VersionId"] == v1, attributes
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
        assert s3.put_object(Bucket=bucket, Key="k", Body=b"suspended").get("VersionId", "null") == "null"
        assert error(s3.delete_bucket, Bucket=bucket) == ("BucketNotEmpty", 409)
        for v in s3.list_object_versions(Bucket=bucket).get("Versions", []) + s3.list_object_versions(Bucket=bucket).get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
        s3.delete_bucket(Bucket=bucket)
        """);

    [Fact]
    public Task Object_and_bucket_tags() => RunAsync("""
        bucket = new_bucket()
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="team=platform&tier=gold")
        assert s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
        assert sorted((t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]) == [("team", "platform"), ("tier", "gold")]
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
        assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "a", "Value": "b"}]
        s3.delete_object_tagging(Bucket=bucket, Key="k")
        assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
        assert error(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]}) == ("InvalidTag", 400)
        assert error(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", 404)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "cost", "Value": "7"}]})
        assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "cost", "Value": "7"}]
        s3.delete_bucket_tagging(Bucket=bucket)
        assert error(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", 404)
        """);

    [Fact]
    public Task Iam_users_get_exactly_what_identity_bucket_and_key_policies_allow_and_every_call_is_audited() => RunAsync("""
        import time
        iam = boto3.client("iam", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)
        cloudtrail = boto3.client("cloudtrail", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)
        bucket = new_bucket()
        name = "s3user-" + uuid.uuid4().hex[:8]
        user = iam.create_user(UserName=name)["User"]
        access = iam.create_access_key(UserName=name)["AccessKey"]
        allowed_key = kms.create_key()["KeyMetadata"]
        other_key = kms.create_key()["KeyMetadata"]
        iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/allowed/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": allowed_key["Arn"],
             "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}))
        as_user = boto3.client("s3", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config,
            aws_access_key_id=access["AccessKeyId"], aws_secret_access_key=access["SecretAccessKey"])
        as_user.put_object(Bucket=bucket, Key="allowed/a", Body=b"a")
        as_user.put_object(Bucket=bucket, Key="allowed/kms", Body=b"k", ServerSideEncryption="aws:kms", SSEKMSKeyId=allowed_key["KeyId"])
        assert as_user.get_object(Bucket=bucket, Key="allowed/kms")["Body"].read() == b"k"
        assert [o["Key"] for o in as_user.list_objects_v2(Bucket=bucket)["Contents"]] == ["allowed/a", "allowed/kms"]
        assert error(as_user.put_object, Bucket=bucket, Key="other/a", Body=b"a") == ("AccessDenied", 403)
        assert error(as_user.put_object, Bucket=bucket, Key="allowed/b", Body=b"b", ServerSideEncryption="aws:kms", SSEKMSKeyId=other_key["KeyId"]) == ("AccessDenied", 403)
        assert error(as_user.delete_object, Bucket=bucket, Key="allowed/a") == ("AccessDenied", 403)
        assert error(as_user.list_buckets) == ("AccessDenied", 403)
        # The root's object under a key the user may not use: the object read is allowed, the KMS decrypt is not.
        s3.put_object(Bucket=bucket, Key="allowed/other-key", Body=b"o", ServerSideEncryption="aws:kms", SSEKMSKeyId=other_key["KeyId"])
        assert error(as_user.get_object, Bucket=bucket, Key="allowed/other-key") == ("AccessDenied", 403)
        # A bucket policy naming the user grants access to another prefix without any identity policy.
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": user["Arn"]}, "Action": ["s3:PutObject", "s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/shared/*"}]}))
        as_user.put_object(Bucket=bucket, Key="shared/x", Body=b"x")
        assert as_user.get_object(Bucket=bucket, Key="shared/x")["Body"].read() == b"x"
        events = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": name}], MaxResults=50)["Events"]
        names = [(e["EventName"], e["EventSource"]) for e in events]
        assert ("PutObject", "s3.amazonaws.com") in names and ("GetObject", "s3.amazonaws.com") in names, names
        failed = [json.loads(e["CloudTrailEvent"]) for e in events if e["EventName"] == "PutObject"]
        assert any(f.get("errorCode") == "AccessDenied" and f["requestParameters"]["key"] == "other/a" for f in failed), failed
        resources = [r["ResourceName"] for e in events for r in e.get("Resources", [])]
        assert f"arn:aws:s3:::{bucket}/shared/x" in resources, resources
        """);

    [Fact]
    public Task Deletes_versions_and_copies_are_authorized_per_object_version_and_key() => RunAsync("""
        iam = boto3.client("iam", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)
        bucket = new_bucket()
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        name = "s3perkey-" + uuid.uuid4().hex[:8]
        iam.create_user(UserName=name)
        access = iam.create_access_key(UserName=name)["AccessKey"]
        usable = kms.create_key()["KeyMetadata"]
        other = kms.create_key()["KeyMetadata"]
        iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"],
             "Resource": f"arn:aws:s3:::{bucket}/allowed/*"},
            {"Effect": "Allow", "Action": "s3:GetObjectVersion", "Resource": f"arn:aws:s3:::{bucket}/versioned/*"},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": usable["Arn"]}]}))
        as_user = boto3.client("s3", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config,
            aws_access_key_id=access["AccessKeyId"], aws_secret_access_key=access["SecretAccessKey"])
        for key in ["allowed/a", "allowed/b", "other/a"]:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")

        # DeleteObjects: each key on its own, as AWS does; the denied key is an error in the result, the rest is deleted.
        result = as_user.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "allowed/a"}, {"Key": "other/a"}, {"Key": "allowed/b"}]})
        assert sorted(d["Key"] for d in result["Deleted"]) == ["allowed/a", "allowed/b"], result
        assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("other/a", "AccessDenied")], result
        assert s3.head_object(Bucket=bucket, Key="other/a")["ContentLength"] == 1

        # A version by id needs s3:GetObjectVersion (s3:GetObject is not enough), and deleting one s3:DeleteObjectVersion.
        v1 = s3.put_object(Bucket=bucket, Key="allowed/v", Body=b"one")["VersionId"]
        s3.put_object(Bucket=bucket, Key="allowed/v", Body=b"two")
        assert as_user.get_object(Bucket=bucket, Key="allowed/v")["Body"].read() == b"two"
        assert as_user.get_object_tagging(Bucket=bucket, Key="allowed/v")["TagSet"] == []
        assert error(as_user.get_object, Bucket=bucket, Key="allowed/v", VersionId=v1) == ("AccessDenied", 403)
        assert error(as_user.delete_object, Bucket=bucket, Key="allowed/v", VersionId=v1) == ("AccessDenied", 403)
        result = as_user.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "allowed/v", "VersionId": v1}]})
        assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("allowed/v", "AccessDenied")], result
        assert s3.get_object(Bucket=bucket, Key="allowed/v", VersionId=v1)["Body"].read() == b"one"
        assert error(as_user.get_object_tagging, Bucket=bucket, Key="allowed/v", VersionId=v1) == ("AccessDenied", 403)
        assert error(as_user.put_object_tagging, Bucket=bucket, Key="allowed/v", VersionId=v1, Tagging={"TagSet": []}) == ("AccessDenied", 403)

        # The KMS key checked for a version is that version's: an old version under a key the user may not use stays closed.
        old = s3.put_object(Bucket=bucket, Key="versioned/k", Body=b"old", ServerSideEncryption="aws:kms", SSEKMSKeyId=other["KeyId"])["VersionId"]
        new = s3.put_object(Bucket=bucket, Key="versioned/k", Body=b"new", ServerSideEncryption="aws:kms", SSEKMSKeyId=usable["KeyId"])["VersionId"]
        assert as_user.get_object(Bucket=bucket, Key="versioned/k", VersionId=new)["Body"].read() == b"new"
        assert error(as_user.get_object, Bucket=bucket, Key="versioned/k", VersionId=old) == ("AccessDenied", 403)

        # Copying out of an SSE-KMS object needs kms:Decrypt on its key, bucket key or not.
        for bucket_key in [False, True]:
            source = f"allowed/src-{bucket_key}"
            s3.put_object(Bucket=bucket, Key=source, Body=b"secret", ServerSideEncryption="aws:kms", SSEKMSKeyId=other["KeyId"], BucketKeyEnabled=bucket_key)
            assert error(as_user.copy_object, Bucket=bucket, Key="allowed/copy", CopySource={"Bucket": bucket, "Key": source}) == ("AccessDenied", 403)
            assert error(as_user.get_object, Bucket=bucket, Key=source) == ("AccessDenied", 403)
        as_user.copy_object(Bucket=bucket, Key="allowed/copy", CopySource={"Bucket": bucket, "Key": "allowed/v"})
        assert as_user.get_object(Bucket=bucket, Key="allowed/copy")["Body"].read() == b"two"
        """);

    [Fact]
    public Task ListObjects_pages_by_next_marker_past_common_prefixes_without_repeating_them() => RunAsync("""
        bucket = new_bucket()
        for key in ["a/1", "a/2", "b", "c/1", "c/2", "d"]:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        pages, marker = [], ""
        while len(pages) < 10:  # a listing that repeats itself fails here instead of paging forever
            page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=1, Marker=marker)
            pages.append([p["Prefix"] for p in page.get("CommonPrefixes", [])] + [o["Key"] for o in page.get("Contents", [])])
            if not page["IsTruncated"]:
                break
            marker = page["NextMarker"]
        assert pages == [["a/"], ["b"], ["c/"], ["d"]], pages
        # The same through ListObjectsV2's StartAfter, and a marker inside a prefix.
        assert [p["Prefix"] for p in s3.list_objects_v2(Bucket=bucket, Delimiter="/", StartAfter="a/").get("CommonPrefixes", [])] == ["c/"]
        assert [p["Prefix"] for p in s3.list_objects(Bucket=bucket, Delimiter="/", Marker="c/1").get("CommonPrefixes", [])] == ["c/"]
        """);
}
