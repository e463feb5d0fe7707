/** The `Random` port: every random choice in a run derives from the run's seed. */
export interface Random {
  /** Uniform in [0, 1), 53 bits. */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /**
   * An independent generator derived from this one's seed and `label`, without consuming any
   * of this generator's draws: forking is order-independent, so adding a client does not
   * perturb the others.
   */
  fork(label: string | number): Random;
  /** The seed this generator started from. */
  readonly seed: number;
}
