// P1's check: what an observer on the presence channel saw, against what the users did.

/** Problems kept for the report; one is enough to fail the run, a few help to see the pattern. */
const MAX_PROBLEMS = 5;

/**
 * Follows `member_added`/`member_removed` as one observer sees them. For each user, events must
 * alternate (added, removed, added, …), the observer itself must never appear, and at the end each user's
 * count of added and removed must equal its joins and leaves.
 */
export class MemberLedger {
  /** `member_added` events seen. */
  added = 0;
  /** `member_removed` events seen. */
  removed = 0;
  private readonly present = new Set<string>();
  private readonly addedBy = new Map<string, number>();
  private readonly removedBy = new Map<string, number>();
  private readonly problems: string[] = [];
  private problemCount = 0;

  constructor(private readonly observerId: string) {}

  /** Records one member event in the order the observer received it. */
  record(kind: 'added' | 'removed', userId: string): void {
    if (userId === this.observerId) this.problem(`member_${kind} for the observer itself`);
    if (kind === 'added') {
      this.added++;
      this.addedBy.set(userId, (this.addedBy.get(userId) ?? 0) + 1);
      if (this.present.has(userId)) this.problem(`member_added for ${userId}, already a member`);
      this.present.add(userId);
    } else {
      this.removed++;
      this.removedBy.set(userId, (this.removedBy.get(userId) ?? 0) + 1);
      if (!this.present.delete(userId)) this.problem(`member_removed for ${userId}, not a member`);
    }
  }

  /** True once at least as many events arrived as `joins` and `leaves` call for. */
  caughtUp(joins: number, leaves: number): boolean {
    return this.added >= joins && this.removed >= leaves;
  }

  /**
   * What is wrong, or undefined if every user's joins and leaves were seen exactly once and nobody is
   * left on the channel. `joins`/`leaves` map user id → how many the user completed.
   */
  verify(joins: ReadonlyMap<string, number>, leaves: ReadonlyMap<string, number>): string | undefined {
    for (const [userId, count] of joins) {
      const seen = this.addedBy.get(userId) ?? 0;
      if (seen !== count) this.problem(`${userId} joined ${count} times, observer saw ${seen} member_added`);
    }
    for (const [userId, count] of leaves) {
      const seen = this.removedBy.get(userId) ?? 0;
      if (seen !== count) this.problem(`${userId} left ${count} times, observer saw ${seen} member_removed`);
    }
    for (const userId of new Set([...this.addedBy.keys(), ...this.removedBy.keys()])) {
      if (!joins.has(userId) && !leaves.has(userId)) this.problem(`member events for unknown user ${userId}`);
    }
    if (this.present.size > 0) {
      this.problem(
        `${this.present.size} members never removed, e.g. ${[...this.present].slice(0, 3).join(', ')}`,
      );
    }
    if (this.problemCount === 0) return undefined;
    const more = this.problemCount - this.problems.length;
    return `${this.problems.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
  }

  private problem(text: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
  }
}
