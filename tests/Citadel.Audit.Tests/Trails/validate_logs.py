"""Runs the AWS CLI's own `aws cloudtrail validate-logs` (awscli v1, from this Python) with S3 served from a directory.

The command, its digest traversal, signature checks and messages are the AWS CLI's; only the S3 client it creates
is replaced by one that reads the layout DirectoryObjectSink writes: <root>/<bucket>/<key> for the object and
<root>/.meta/<bucket>/<key>.json for its headers (userMetadata is what S3 returns as Metadata). With --cloudtrail
FILE, the CloudTrail client is replaced too, answering DescribeTrails and ListPublicKeys from FILE (a unit test
without a server); without it, the real CloudTrail endpoint (--endpoint-url) answers.

usage: python3 validate_logs.py --objects DIR [--cloudtrail FILE] <validate-logs arguments>
"""
import argparse
import io
import json
import os
import sys

import awscli.clidriver
from awscli.customizations.cloudtrail import validation
from botocore.exceptions import ClientError


class DirectoryS3:
    def __init__(self, root):
        self.root = root

    def get_bucket_location(self, Bucket):
        return {'LocationConstraint': None}

    def get_paginator(self, operation):
        assert operation == 'list_objects', operation
        return DirectoryPaginator(self)

    def keys(self, bucket):
        base = os.path.join(self.root, bucket)
        for directory, _, files in os.walk(base):
            for name in files:
                yield os.path.relpath(os.path.join(directory, name), base).replace(os.sep, '/')

    def get_object(self, Bucket, Key):
        path = os.path.join(self.root, Bucket, Key)
        if not os.path.isfile(path):
            raise ClientError({'Error': {'Code': 'NoSuchKey', 'Message': 'The specified key does not exist.'}}, 'GetObject')
        with open(os.path.join(self.root, '.meta', Bucket, Key + '.json')) as meta:
            metadata = json.load(meta)['userMetadata']
        with open(path, 'rb') as body:
            return {'Body': io.BytesIO(body.read()), 'Metadata': metadata}


class DirectoryPaginator:
    def __init__(self, s3):
        self.s3 = s3

    def paginate(self, Bucket, Marker='', Prefix=''):
        # ListObjects: keys after the marker that start with the prefix, in UTF-8 binary order.
        return KeyPages(sorted(k for k in self.s3.keys(Bucket) if k.startswith(Prefix) and k > Marker))


class KeyPages:
    def __init__(self, keys):
        self._keys = keys

    def search(self, expression):
        assert expression == 'Contents[*].Key', expression
        return iter(self._keys)


class FileCloudTrail:
    def __init__(self, path):
        with open(path) as f:
            self.data = json.load(f)

    def describe_trails(self, **kwargs):
        return {'trailList': self.data['trailList']}

    def list_public_keys(self, StartTime, EndTime, **kwargs):
        start, end = StartTime.timestamp(), EndTime.timestamp()
        return {'PublicKeyList': [k for k in self.data['PublicKeyList'] if k['ValidityStartTime'] <= end and k['ValidityEndTime'] >= start]}


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--objects', required=True)
    parser.add_argument('--cloudtrail')
    ours, rest = parser.parse_known_args()
    real = validation.create_nested_client

    def create(session, service_name, **kwargs):
        if service_name == 's3':
            return DirectoryS3(ours.objects)
        if service_name == 'cloudtrail' and ours.cloudtrail:
            return FileCloudTrail(ours.cloudtrail)
        return real(session, service_name, **kwargs)

    validation.create_nested_client = create
    return awscli.clidriver.create_clidriver().main(['cloudtrail', 'validate-logs'] + rest)


if __name__ == '__main__':
    sys.exit(main())
