/**
 * How the @vscode/test-electron launcher gets a VS Code: the one named by VSCODE_EXECUTABLE, a download, or a clear
 * refusal saying what is needed. Pure logic, so that it can be tested without starting anything.
 */
export type Choice =
  | { kind: 'executable'; path: string }
  | { kind: 'download'; version: string }
  | { kind: 'refuse'; message: string };

export interface ChoiceEnv {
  env: Record<string, string | undefined>;
  isExecutable(path: string): boolean;
  /** Whether the VS Code download site can be reached (a quick look-up, not a download). */
  canDownload(): Promise<boolean>;
}

export const DOWNLOAD_HOST = 'update.code.visualstudio.com';

export async function chooseVSCode(e: ChoiceEnv): Promise<Choice> {
  const explicit = e.env.VSCODE_EXECUTABLE;
  if (explicit) {
    if (e.isExecutable(explicit)) return { kind: 'executable', path: explicit };
    return { kind: 'refuse', message: `VSCODE_EXECUTABLE is set to '${explicit}', which is not an executable file. Point it at a VS Code (Electron) binary, or unset it to download one.` };
  }
  if (await e.canDownload()) return { kind: 'download', version: e.env.VSCODE_VERSION ?? 'stable' };
  return {
    kind: 'refuse',
    message: `npm run test:electron needs VS Code: it cannot reach ${DOWNLOAD_HOST} to download one, and VSCODE_EXECUTABLE is not set. ` +
      'Set VSCODE_EXECUTABLE=/path/to/code (a desktop VS Code build), or run the same tests in code-server with npm test.',
  };
}
