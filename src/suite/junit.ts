// JUnit XML in the common shape CI systems read: testsuites > testsuite > testcase (> failure | error).
export interface JUnitCase {
  name: string;
  classname: string;
  seconds: number;
  failure?: { message: string; body: string };
  error?: { message: string; body: string };
}

const esc = (s: string) =>
  s
    .replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!)
    // XML 1.0 forbids most control characters even when escaped: matching them is the point.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function junitXml(suiteName: string, cases: JUnitCase[], timestamp = new Date()): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const time = cases.reduce((a, c) => a + c.seconds, 0).toFixed(3);
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="faultline" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${esc(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${timestamp.toISOString().slice(0, 19)}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${esc(c.classname)}" name="${esc(c.name)}" time="${c.seconds.toFixed(3)}"`;
    const problem = c.failure ? (["failure", c.failure] as const) : c.error ? (["error", c.error] as const) : undefined;
    if (!problem) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(
      `${open}>`,
      `      <${problem[0]} message="${esc(problem[1].message)}" type="${problem[0] === "failure" ? "ExpectationMismatch" : "RunError"}">${esc(problem[1].body)}</${problem[0]}>`,
      `    </testcase>`,
    );
  }
  lines.push(`  </testsuite>`, `</testsuites>`);
  return lines.join("\n") + "\n";
}
