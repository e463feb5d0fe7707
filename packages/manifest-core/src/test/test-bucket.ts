import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** Create `bucket` on the test S3 endpoint (the project's Ceph RGW), path-style, and let the client go. */
export async function createTestBucket(endpoint: string, bucket: string): Promise<void> {
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}
