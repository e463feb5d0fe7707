/**
 * Amazon S3 Standard request prices, us-east-1, in US dollars per 1,000 requests, as published
 * on the AWS S3 pricing page (https://aws.amazon.com/s3/pricing/, "Requests & data
 * retrievals"), recorded 2026-11-29 from issue 10 of this project, which quotes that page:
 * PUT, COPY, POST and LIST $0.005; GET, SELECT and all other requests $0.0004; DELETE and
 * CANCEL free. Storage and transfer are not counted: a manifest's objects are tiny.
 */
import type { RequestKind } from './types.js';

export const PRICE_SOURCE = 'Amazon S3 Standard, us-east-1, https://aws.amazon.com/s3/pricing/ (recorded 2026-11-29)';

/** Dollars per 1,000 requests of each kind the stores count. A conditional PUT is a PUT. */
export const S3_STANDARD_PER_THOUSAND: Readonly<Record<RequestKind, number>> = {
  PUT: 0.005,
  CPUT: 0.005,
  LIST: 0.005,
  GET: 0.0004,
  HEAD: 0.0004,
  DELETE: 0,
};

/** Price of one request of a kind; unknown kinds are "all other requests". */
export function pricePerRequest(kind: string): number {
  return (S3_STANDARD_PER_THOUSAND[kind as RequestKind] ?? S3_STANDARD_PER_THOUSAND.GET) / 1000;
}
