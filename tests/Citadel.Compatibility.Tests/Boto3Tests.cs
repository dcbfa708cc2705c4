namespace Citadel.Compatibility.Tests;

/// <summary>boto3 (the machine Python's) against a real Citadel server: each test is one Python script that prints OK.</summary>
[Collection("citadel")]
public sealed class Boto3Tests(CitadelFixture fixture)
{
    /// <summary>Clients built from the environment: endpoint from CITADEL_ENDPOINT, CA bundle, region and credentials from AWS_*.</summary>
    private const string Prelude = """
        import base64, hashlib, os, uuid
        import boto3, botocore.config
        from botocore.exceptions import ClientError

        config = botocore.config.Config(retries={"max_attempts": 1})
        kms = boto3.client("kms", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)
        cloudtrail = boto3.client("cloudtrail", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)

        def error_code(call, **kwargs):
            try:
                call(**kwargs)
            except ClientError as e:
                return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
            raise AssertionError(f"{call.__name__} succeeded")

        """;

    [Fact]
    public async Task KmsClientEncryptsSignsPagesAndRaisesClientErrors()
    {
        var result = await Clients.Boto3(fixture.Server, Prelude + """
            context = {"tenant": "boto3", "purpose": "compat"}
            key = kms.create_key(Description="boto3 symmetric", Tags=[{"TagKey": "client", "TagValue": "boto3"}])["KeyMetadata"]
            assert key["KeySpec"] == "SYMMETRIC_DEFAULT" and key["KeyState"] == "Enabled", key
            key_id, arn = key["KeyId"], key["Arn"]

            # Encrypt and decrypt with an encryption context; botocore takes and returns raw bytes.
            encrypted = kms.encrypt(KeyId=key_id, Plaintext=b"\x00boto3 secret\xff", EncryptionContext=context)
            assert encrypted["KeyId"] == arn, encrypted
            decrypted = kms.decrypt(CiphertextBlob=encrypted["CiphertextBlob"], EncryptionContext=context)
            assert decrypted["Plaintext"] == b"\x00boto3 secret\xff" and decrypted["KeyId"] == arn, decrypted

            # Data keys.
            data_key = kms.generate_data_key(KeyId=arn, KeySpec="AES_256", EncryptionContext=context)
            assert len(data_key["Plaintext"]) == 32
            assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext=context)["Plaintext"] == data_key["Plaintext"]
            without = kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=48)
            assert "Plaintext" not in without
            assert len(kms.decrypt(CiphertextBlob=without["CiphertextBlob"])["Plaintext"]) == 48
            assert len(kms.generate_random(NumberOfBytes=77)["Plaintext"]) == 77

            # ECC signing: RAW and DIGEST, checked by the server.
            ecc = kms.create_key(KeySpec="ECC_NIST_P384", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            message = b"signed by boto3"
            raw = kms.sign(KeyId=ecc, Message=message, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_384")
            assert raw["SigningAlgorithm"] == "ECDSA_SHA_384"
            digest = hashlib.sha384(message).digest()
            assert kms.verify(KeyId=ecc, Message=digest, MessageType="DIGEST", Signature=raw["Signature"], SigningAlgorithm="ECDSA_SHA_384")["SignatureValid"]
            signed_digest = kms.sign(KeyId=ecc, Message=digest, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_384")["Signature"]
            assert kms.verify(KeyId=ecc, Message=message, Signature=signed_digest, SigningAlgorithm="ECDSA_SHA_384")["SignatureValid"]
            assert error_code(kms.verify, KeyId=ecc, Message=b"tampered", Signature=signed_digest, SigningAlgorithm="ECDSA_SHA_384") == ("KMSInvalidSignatureException", 400)
            public_key = kms.get_public_key(KeyId=ecc)
            assert public_key["KeySpec"] == "ECC_NIST_P384" and public_key["PublicKey"][:1] == b"\x30", public_key

            # list_keys through the paginator, one key per page, finds both keys.
            pages = list(kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1}))
            assert all(len(p["Keys"]) <= 1 for p in pages), [len(p["Keys"]) for p in pages]
            assert len(pages) >= 2
            listed = {k["KeyId"] for p in pages for k in p["Keys"]}
            assert {key_id, ecc} <= listed, (key_id, ecc)

            # Aliases, listed through the paginator too.
            alias = "alias/boto3-" + uuid.uuid4().hex
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
            assert kms.encrypt(KeyId=alias, Plaintext=b"x")["KeyId"] == arn
            aliases = [a for p in kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 1}) for a in p["Aliases"]]
            mine = [a for a in aliases if a["AliasName"] == alias]
            assert len(mine) == 1 and mine[0]["TargetKeyId"] == key_id, mine
            assert [a["AliasName"] for a in kms.list_aliases(KeyId=key_id)["Aliases"]] == [alias]
            assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "client", "TagValue": "boto3"}]

            # Errors: the ClientError carries the AWS error code.
            assert error_code(kms.describe_key, KeyId=str(uuid.uuid4())) == ("NotFoundException", 400)
            assert error_code(kms.encrypt, KeyId="alias/boto3-missing-" + uuid.uuid4().hex, Plaintext=b"x") == ("NotFoundException", 400)
            assert error_code(kms.decrypt, CiphertextBlob=encrypted["CiphertextBlob"], EncryptionContext={"tenant": "other"}) == ("InvalidCiphertextException", 400)
            assert error_code(kms.encrypt, KeyId=ecc, Plaintext=b"x") == ("InvalidKeyUsageException", 400)
            try:
                kms.describe_key(KeyId=str(uuid.uuid4()))
            except kms.exceptions.NotFoundException:
                pass
            else:
                raise AssertionError("no NotFoundException")
            print("OK")
            """);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        Assert.Equal("OK", result.StdOut.Trim());
    }

    [Fact]
    public async Task CloudTrailLookupEventsPaginates()
    {
        var result = await Clients.Boto3(fixture.Server, Prelude + """
            import datetime, json, time
            created = [kms.create_key(Description=f"trail {i}")["KeyMetadata"]["Arn"] for i in range(3)]
            attributes = [{"AttributeKey": "EventName", "AttributeValue": "CreateKey"}]
            for attempt in range(20):
                pages = list(cloudtrail.get_paginator("lookup_events").paginate(LookupAttributes=attributes, PaginationConfig={"PageSize": 1}))
                events = [e for p in pages for e in p["Events"]]
                found = {r["ResourceName"] for e in events for r in e.get("Resources", [])}
                if set(created) <= found:
                    break
                time.sleep(0.25)
            assert set(created) <= found, (created, found)
            assert all(len(p["Events"]) <= 1 for p in pages)
            assert len(pages) >= 3
            assert all(e["EventName"] == "CreateKey" and e["EventSource"] == "kms.amazonaws.com" for e in events)
            assert len({e["EventId"] for e in events}) == len(events), "an event was repeated across pages"
            times = [e["EventTime"] for e in events]
            assert all(isinstance(t, datetime.datetime) for t in times)
            assert times == sorted(times, reverse=True), "events are not newest first"
            record = json.loads(next(e for e in events if any(r["ResourceName"] == created[0] for r in e["Resources"]))["CloudTrailEvent"])
            assert record["eventName"] == "CreateKey" and record["userAgent"].startswith("Boto3/"), record
            assert record["requestParameters"]["description"] == "trail 0", record["requestParameters"]

            # A time window that ends before the keys were made finds none of them.
            before = cloudtrail.lookup_events(LookupAttributes=attributes, EndTime=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
            assert before["Events"] == [], before["Events"]
            print("OK")
            """);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        Assert.Equal("OK", result.StdOut.Trim());
    }

    /// <summary>
    /// The query protocol's XML keeps a carriage return: written as &amp;#13;, which an XML parser (botocore's) does not
    /// normalize to a line feed as it does a raw one.
    /// </summary>
    [Fact]
    public async Task IamKeepsCarriageReturnsInWhatItAnswers()
    {
        var result = await Clients.Boto3(fixture.Server, Prelude + """
            import json
            iam = boto3.client("iam", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)
            name = "cr-" + uuid.uuid4().hex[:12]
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}]}
            created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description="first line\r\nsecond\rthird")["Role"]
            assert created["Description"] == "first line\r\nsecond\rthird", repr(created["Description"])
            assert iam.get_role(RoleName=name)["Role"]["Description"] == "first line\r\nsecond\rthird"
            print("OK")
            """);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        Assert.Equal("OK", result.StdOut.Trim());
    }
}
