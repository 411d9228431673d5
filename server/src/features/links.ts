/**
 * Document links in scripts: the configuration a script sources, the rules files it loads with iptables-restore and
 * saves with iptables-save, the ipset files it restores, each opened with a click (only those that exist here).
 */
import { DocumentLink } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { LintResult } from '../engine/lint';
import { FileRole } from '../engine/parse/scriptFiles';

const TOOLTIPS: Record<FileRole, string> = {
  sources: 'Open the configuration this script reads its variables from',
  loads: 'Open the rules file this script loads',
  saves: 'Open the file this script saves the rules to',
  ipset: 'Open the ipset file this script restores or saves',
};

/** `exists` tells whether a file is there to open (a link to nothing would only show an error). */
export function documentLinks(result: LintResult, exists: (file: string) => boolean): DocumentLink[] {
  const links: DocumentLink[] = [];
  for (const f of result.ruleset.files ?? []) {
    const file = resolve(f.path);
    if (exists(file)) links.push({ range: f.range, target: pathToFileURL(file).toString(), tooltip: TOOLTIPS[f.role] });
  }
  return links;
}
