/** The small, contended workload the planted-bug suites run (with and without chaos). */
export const PLANTED_BUG_WORKLOAD = {
  num_writers: 3,
  writer_rate: 0.5,
  num_readers: 3,
  reader_rate: 2,
  key_overlap_ratio: 0.5,
  keys_per_writer: 3,
  shared_keys: 3,
  duration_s: 60,
  warmup_s: 0,
} as const;
