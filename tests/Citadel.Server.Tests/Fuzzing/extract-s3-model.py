#!/usr/bin/env python3
"""Writes S3Model.json: the operations of botocore's S3 model (service-2.json.gz) that the fuzz harness drives,
with the input shapes they reach (members, locations, constraints), so the harness builds S3 requests from the
model without needing Python at test time.  Run from this directory:  python3 extract-s3-model.py"""
import gzip, json, os, botocore

OPERATIONS = [
    # served by Citadel (Server/Services/S3/S3Operations.cs)
    "ListBuckets", "CreateBucket", "DeleteBucket", "HeadBucket", "ListObjects", "ListObjectsV2", "GetBucketLocation",
    "PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption", "PutBucketPolicy", "GetBucketPolicy",
    "DeleteBucketPolicy", "PutBucketVersioning", "GetBucketVersioning", "PutBucketTagging", "GetBucketTagging",
    "DeleteBucketTagging", "ListObjectVersions", "DeleteObjects", "ListMultipartUploads", "PutObjectTagging",
    "GetObjectTagging", "DeleteObjectTagging", "GetObjectAttributes", "CreateMultipartUpload", "UploadPart",
    "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts", "CopyObject", "PutObject",
    "GetObject", "HeadObject", "DeleteObject",
    # not served (NotImplemented): a few, so routing of the others is fuzzed too
    "PutBucketAcl", "GetObjectAcl", "PutBucketCors", "GetBucketLifecycleConfiguration", "RestoreObject", "SelectObjectContent",
]
KEEP = ("type", "members", "required", "member", "key", "value", "min", "max", "enum", "pattern", "location",
        "locationName", "flattened", "xmlNamespace", "payload", "timestampFormat", "streaming", "requiresLength")

data = os.path.join(os.path.dirname(botocore.__file__), "data", "s3", "2006-03-01", "service-2.json.gz")
model = json.load(gzip.open(data))
out = {"botocore": botocore.__version__, "operations": {}, "shapes": {}}
pending = []
for name in OPERATIONS:
    op = model["operations"][name]
    entry = {"method": op["http"]["method"], "requestUri": op["http"]["requestUri"]}
    if "input" in op:
        entry["input"] = op["input"]["shape"]
        pending.append(op["input"]["shape"])
        if "locationName" in op["input"]:
            entry["inputLocationName"] = op["input"]["locationName"]
        if "xmlNamespace" in op["input"]:
            entry["inputXmlNamespace"] = op["input"]["xmlNamespace"]["uri"]
    if op.get("httpChecksum", {}).get("requestChecksumRequired"):
        entry["checksumRequired"] = True
    out["operations"][name] = entry
while pending:
    name = pending.pop()
    if name in out["shapes"]:
        continue
    shape = model["shapes"][name]
    kept = {}
    for k in KEEP:
        if k not in shape:
            continue
        v = shape[k]
        if k == "members":
            v = {m: {kk: vv for kk, vv in spec.items() if kk in KEEP + ("shape",)} for m, spec in v.items()}
            pending.extend(spec["shape"] for spec in v.values())
        elif k in ("member", "key", "value"):
            v = {kk: vv for kk, vv in v.items() if kk in KEEP + ("shape",)}
            pending.append(v["shape"])
        elif k == "xmlNamespace":
            v = v["uri"]
        kept[k] = v
    out["shapes"][name] = kept
with open("S3Model.json", "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"), sort_keys=True)
    f.write("\n")
print(len(out["operations"]), "operations,", len(out["shapes"]), "shapes")
