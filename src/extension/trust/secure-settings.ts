// Warden's security settings, read from the user's (or the remote machine's) settings and the defaults only.
// A repository's .vscode/settings.json, a folder's settings and language overrides never count, so a
// workspace cannot move the policy, stop annotations being rewritten, lengthen the approval timeout or
// send the audit log elsewhere, or choose how protected servers run (proxyMode). package.json also gives them `"scope": "machine"`; this is the second lock.

export const SECURE_SETTINGS = ['policyPath', 'rewriteAnnotations', 'approvalTimeoutSeconds', 'auditLogFolder', 'proxyMode'] as const;
export type SecureSetting = (typeof SECURE_SETTINGS)[number];

export interface SettingInspection<T> {
  defaultValue?: T;
  globalValue?: T;
}

/** The value from user (or remote machine) settings, else the default; whatever else `inspect()` holds is ignored. */
export function secureValue<T>(inspected: SettingInspection<T> | undefined): T | undefined {
  return inspected?.globalValue !== undefined ? inspected.globalValue : inspected?.defaultValue;
}
