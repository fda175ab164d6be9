// The listener's in-flight byte budget (request bodies being received), shared among the endpoints it
// serves so that one server's clients (slow bodies held up to --body-timeout) cannot take all of it.
// Each endpoint keeps a reserve the others cannot take: at most 1 MiB, and small enough that one
// endpoint alone can still receive a message of the largest size while the others hold nothing.
// Bodies cannot be taken back once being received, so the reserve is small rather than a full share.
import type { Budget } from './http-body';

const MAX_RESERVE = 1024 * 1024;

interface Member {
  held: number;
  leaving: boolean;
}

export class ByteShares {
  private readonly members = new Set<Member>();
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly maxFrameBytes: number,
  ) {}

  get inUse(): number {
    return this.used;
  }

  /** The bytes kept for each endpoint's own bodies. */
  get reserve(): number {
    const serving = [...this.members].filter((m) => !m.leaving).length;
    if (serving <= 1) return 0;
    return Math.max(0, Math.min(MAX_RESERVE, Math.floor((this.limit - this.maxFrameBytes) / (serving - 1))));
  }

  /** One endpoint's view of the budget; `leave` when the endpoint is no longer served. */
  member(): Budget & { leave(): void } {
    const member: Member = { held: 0, leaving: false };
    const shares = this; // the getter below has its own `this`
    this.members.add(member);
    const forget = (): void => {
      if (member.leaving && member.held === 0) this.members.delete(member);
    };
    return {
      limit: this.limit,
      get shared() {
        return shares.reserve > 0;
      },
      take: (bytes) => {
        if (!this.fits(member, bytes)) return false;
        member.held += bytes;
        this.used += bytes;
        return true;
      },
      give: (bytes) => {
        const given = Math.min(bytes, member.held);
        member.held -= given;
        this.used -= given;
        forget();
      },
      leave: () => {
        member.leaving = true;
        forget();
      },
    };
  }

  private fits(member: Member, bytes: number): boolean {
    const reserve = this.reserve;
    let kept = 0;
    for (const other of this.members) if (other !== member && !other.leaving) kept += Math.max(0, reserve - other.held);
    return this.used + bytes + kept <= this.limit;
  }
}
