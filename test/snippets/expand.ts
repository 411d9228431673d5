/** Expands a VS Code snippet body the way the editor does when every placeholder keeps its default. */
export function expandSnippet(body: string | string[]): string {
  let text = Array.isArray(body) ? body.join('\n') : body;
  // Innermost first: ${1:default}, ${1|a,b|}, $1 / $0; \$ is a literal dollar sign.
  for (let k = 0; k < 5; k++) text = text.replace(/\$\{\d+:([^{}]*)\}/g, '$1');
  text = text.replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1');
  text = text.replace(/(?<!\\)\$\d+/g, '');
  return text.replace(/\\\$/g, '$');
}
