// Which approver answers the proxies: the editor's dialog, unless a test (or another extension, through
// the API) has taken the seat for a while.
import type { ApprovalChoice, ApprovalPrompt, Approver } from '../../workbench/approval-broker';

export class ApproverSeat implements Approver {
  private stand: Approver | undefined;

  constructor(private readonly standard: Approver) {}

  /** Lets `approver` answer until the returned disposable is disposed. */
  use(approver: Approver): { dispose(): void } {
    this.stand = approver;
    return {
      dispose: () => {
        if (this.stand === approver) this.stand = undefined;
      },
    };
  }

  ask(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalChoice | undefined> {
    return (this.stand ?? this.standard).ask(prompt, signal);
  }
}
