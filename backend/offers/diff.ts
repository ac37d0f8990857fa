/**
 * A line diff between two letter versions, for the approver who reads only what changed. Longest common
 * subsequence over lines with the common head and tail trimmed first; letters are a few dozen lines, and past
 * MAX_LINES of differing middle the whole middle is shown as replaced, so the cost stays bounded.
 */
export type DiffLine = { op: ' ' | '+' | '-'; text: string };

const MAX_LINES = 800;

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: ' ', text }));
  if (am.length > MAX_LINES || bm.length > MAX_LINES) {
    for (const text of am) out.push({ op: '-', text });
    for (const text of bm) out.push({ op: '+', text });
  } else {
    const n = am.length;
    const m = bm.length;
    // lcs[i][j] = LCS length of am[i..] and bm[j..], in one flat array.
    const lcs = new Uint16Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          am[i] === bm[j]
            ? (lcs[(i + 1) * (m + 1) + j + 1] as number) + 1
            : Math.max(lcs[(i + 1) * (m + 1) + j] as number, lcs[i * (m + 1) + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (am[i] === bm[j]) {
        out.push({ op: ' ', text: am[i] as string });
        i++;
        j++;
      } else if ((lcs[(i + 1) * (m + 1) + j] as number) >= (lcs[i * (m + 1) + j + 1] as number)) {
        out.push({ op: '-', text: am[i++] as string });
      } else {
        out.push({ op: '+', text: bm[j++] as string });
      }
    }
    while (i < n) out.push({ op: '-', text: am[i++] as string });
    while (j < m) out.push({ op: '+', text: bm[j++] as string });
  }
  for (const text of a.slice(a.length - tail)) out.push({ op: ' ', text });
  return out;
}
