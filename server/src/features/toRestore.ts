/** The custom request `iptables/toRestore`: a shell script's rules as iptables-restore files, for any editor. */
import { LintResult } from '../engine/lint';
import { RestoreFile, scriptToRestore } from '../engine/toRestore';
import { unseenLoadsNote } from '../engine/model';

export const TO_RESTORE_REQUEST = 'iptables/toRestore';

export interface ToRestoreParams {
  textDocument: { uri: string };
}

export interface ToRestoreReply {
  files: RestoreFile[];
  error?: string;
}

export function toRestoreRequest(result: LintResult, uri: string): ToRestoreReply {
  if (result.ruleset.format !== 'script') return { files: [], error: 'This is an iptables-restore file already: only a shell script is converted.' };
  const name = decodeURIComponent(uri.replace(/^[a-z]+:\/\//, '').split('/').pop() ?? 'the script');
  const files = scriptToRestore(result, name);
  return files.length ? { files } : { files, error: `This script has no iptables or ip6tables commands to convert.${unseenLoadsNote(result.ruleset)}` };
}
